/* sys: the simulated system of the hosted model, shared by the model's .c files.
 *
 * Internal to the model (the CLI sees only model/model.h). One Sys holds every
 * component; each module owns its part of the state and its functions take the
 * Sys. Nothing here is global: two models can run side by side.
 */
#ifndef VNICSIM_MODEL_SYS_H
#define VNICSIM_MODEL_SYS_H

#include <stdbool.h>
#include <stdint.h>

#include "model/costs.h"
#include "model/dtrec.h"
#include "model/gmem.h"
#include "model/guest/pcnet32.h"
#include "model/guest/dtguest.h"
#include "model/guest/kernel.h"
#include "model/guest/replay.h"
#include "model/guest/tcp.h"
#include "model/host/cpu.h"
#include "model/host/vmapp.h"
#include "model/host/vmnet.h"
#include "model/lance/pcnet.h"
#include "model/net/peer.h"
#include "model/net/wire.h"
#include "model/vmm/vmm.h"
#include "sim/config.h"
#include "sim/evq.h"
#include "sim/stats.h"
#include "sim/timeline.h"

/* Per-run event counters (reset at the end of the warm-up). */
typedef struct SysCounters {
    uint64_t port_accesses, port_in_vmm, port_switching;
    uint64_t pic_accesses, virqs, irets, priv_insns, traps, hlts;
    uint64_t host_irqs, host_irqs_forced; /* forced: taken while the VMM world ran */
    uint64_t syscalls, guest_irqs, guest_ctxsw, guest_ticks;
    uint64_t tx_segments, rx_acks, tx_frames_wire, rx_frames_wire;
    uint64_t vmnet_tx, vmnet_rx, lance_tx_emu, lance_status_emu, lance_other_emu;
    uint64_t drv_accesses; /* port accesses the driver reports per call (DrvActivity) */
} SysCounters;

typedef struct Sys {
    Evq *q;
    const Config *cfg;
    Costs costs;
    bool hosted;           /* vmm.mode = hosted */
    Cpu cpu;
    Wire wire;
    Peer peer;
    Gmem *gmem;
    Pcnet *dev;
    Pcnet32Drv *drv;
    DrvPersonality pers;
    GuestKernel gk;
    Tcp tcp;
    Vmm vmm;
    VmApp vmapp;
    VmNet vmnet;
    SysCounters n;
    StatsHist *latency;    /* per segment, ps */
    SimTime host_irq_idle_time; /* host IRQ work while the guest was halted */
    uint64_t host_irq_idle_count;
    /* measurement */
    uint64_t warmup_bytes, total_bytes;
    bool measuring, done, failed;
    SimTime t_start, t_end;
    uint64_t bytes_at_start, bytes_at_end;
    bool booted;
    char err[256];
    uint8_t guest_mac[6], peer_mac[6];
    /* timeline (model/tlhook.h); tl NULL: none */
    Timeline *tl;
    int tl_cpu, tl_world, tl_wire[2], tl_peer;
    uint64_t tl_flow; /* flow of the segment in the driver's start_xmit, 0: none */
    Replay *replay;        /* pcap replay workload (replay.pcap, model/guest/replay.h), or NULL */
    Dtg *dtg;              /* driver-trace replay (replay.driver_trace, model/guest/dtguest.h), or NULL;
                            * its frames' accounting is s->replay */
    Dtrec *dtrec;          /* recording of the driver's register traffic (replay.record_driver_trace), or NULL */
} Sys;

struct Model {
    Sys s;
};

/* After each driver entry point: add what the driver says it did. */
static inline void sys_drv_done(Sys *s)
{
    s->n.drv_accesses += pcnet32_last_activity(s->drv)->port_accesses;
}

/* model.c: the peer's TCP delivered bytes [seq, seq+len) (for warm-up and end). */
void sys_delivered(Sys *s, uint64_t seq, uint32_t len, SimTime t_send);

#endif
