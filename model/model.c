/* model: the hosted-virtualization performance model as one runnable job
 * (see model.h, docs/model.md). This file builds the system, runs the CPU's
 * dispatcher, decides the measured interval (warm-up) and writes the results. */
#include "model/model.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/sys.h"
#include "traces/dtrace.h"
#include "model/tlhook.h"

static const uint8_t GUEST_MAC[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t PEER_MAC[6] = {0x00, 0xA0, 0xC9, 0x35, 0x00, 0x01};
#define GUEST_DMA_BASE 0x100000u /* driver rings and buffers at 1 MiB */

/* ---- the CPU's dispatcher ------------------------------------------------ */

/* The guest is about to run: in hosted mode the VMM world must be current. A
 * switch here wakes the guest from HLT (the VMApp's select() returned). */
static void enter_guest(Sys *s)
{
    if (s->hosted && s->cpu.world != CPU_WORLD_VMM)
        cpu_world(&s->cpu, CPU_WORLD_VMM, CAT_TRANSITIONS);
    s->gk.halted = false;
}

static void boot(Sys *s)
{
    enter_guest(s);
    if (s->dtg) { /* a recorded driver: its probe and open */
        dtg_boot(s->dtg);
        return;
    }
    int probed = pcnet32_probe(s->drv);
    sys_drv_done(s);
    if (probed != 0) {
        snprintf(s->err, sizeof s->err, "model: guest driver probe found no Am79C970A");
        s->failed = true;
        return;
    }
    int opened = pcnet32_open(s->drv);
    sys_drv_done(s);
    if (opened != 0) {
        snprintf(s->err, sizeof s->err, "model: guest driver open failed (no IDON)");
        s->failed = true;
    }
}

static void start_measuring(Sys *s);
static void end_measuring(Sys *s);

static void start_measuring(Sys *s);

static void dispatch(void *opaque)
{
    Sys *s = opaque;
    Cpu *c = &s->cpu;
    if (s->done || s->failed) {
        cpu_go_idle(c);
        return;
    }
    if (!s->booted) {
        s->booted = true;
        boot(s);
        if (s->replay && !s->failed) {
            start_measuring(s); /* a replay is measured from the driver's open */
            replay_booted(s->replay);
        }
    } else if (s->hosted && vmnet_irq_pending(s)) {
        c->in_preempt = true; /* no host IRQ inside this one */
        vmnet_host_irq_routine(s, true);
        c->in_preempt = false;
    } else if (s->hosted && s->gk.halted && vmnet_frames_for_vm(s)) {
        /* frames VMNet still holds (a host IRQ's handler loop stopped by its
         * guard): the select() the VMApp blocks in at the HLT returns at once */
        c->in_preempt = true; /* the VMApp's receive loop takes what arrives meanwhile */
        vmapp_wakeup(s, true);
        c->in_preempt = false;
    } else if (guest_irq_deliverable(s)) {
        enter_guest(s);
        guest_irq_routine(s);
    } else if (guest_has_work(s)) {
        enter_guest(s);
        guest_work_routine(s);
    } else if (!s->gk.halted) {
        guest_halt(s); /* what arrived meanwhile is looked at in the next dispatch */
    } else {
        cpu_go_idle(c);
        return;
    }
    /* The warm-up's end and the transfer's end reached while this piece ran
     * (nested events): the measured interval starts and ends between pieces, as
     * when the delivery comes while the CPU idles. */
    if (!s->measuring && s->peer.rcv_nxt >= s->warmup_bytes)
        start_measuring(s);
    if (s->done && !s->t_end)
        end_measuring(s);
    cpu_continue(c);
}

/* Host interrupts preempt the piece that runs (cpu.h: called at charge
 * boundaries outside device calls, never inside a host IRQ). In the VMM world:
 * a forced switch to the host, the handler, the VMApp's response, the switch
 * back (vmnet_host_irq_routine). In the host world (VMApp emulation, VMNet, the
 * VMApp's select() at a guest HLT) the host kernel takes it without a switch,
 * and the VMApp polls and receives the frames it brought for the VM. The
 * guest's own virtual interrupts are taken by the second hook (preempt_guest,
 * docs/model.md §1.2). */
static void preempt(void *opaque)
{
    Sys *s = opaque;
    for (int guard = 0; guard < 16 && vmnet_irq_pending(s) && !s->failed; guard++)
        vmnet_host_irq_routine(s, false);
}

/* The guest's virtual interrupts preempt a guest routine where the guest has
 * interrupts on (the second hook, after the host's: cpu.h; kernel.h): in the
 * VMM world, outside device calls, world switches and host-IRQ handling, when
 * the guest is not in its hard ISR. The hard part is taken here; its bottom
 * half runs after the interrupted routine. */
static void preempt_guest(void *opaque)
{
    Sys *s = opaque;
    for (int guard = 0; guard < 4 && !s->failed && s->cpu.world == CPU_WORLD_VMM &&
                        !s->gk.halted && guest_irq_interruptible(s); guard++)
        guest_irq_nested(s);
}

/* ---- measurement ------------------------------------------------------------ */

static void start_measuring(Sys *s)
{
    SimTime now = evq_now(s->q);
    s->measuring = true;
    cpu_reset_accounting(&s->cpu, now);
    s->t_start = s->cpu.acct_start;
    memset(&s->n, 0, sizeof s->n);
    stats_hist_reset(s->latency);
    s->host_irq_idle_time = 0;
    s->host_irq_idle_count = 0;
    s->peer.busy = 0;
    vmnet_reset_counts(s);
    peer_reset_counts(s);
    s->vmm.sc_combined = s->vmm.sc_forced = s->vmm.sc_flushed_frames = 0;
    s->gk.nested_irqs = 0;
    s->bytes_at_start = s->peer.rcv_nxt;
    tlhook_mark(s, "measurement starts", s->t_start);
}

/* The measured interval ends at the cursor: at the end of the piece that ran
 * when the last byte was delivered (the CPU's accounting must include it). */
static void end_measuring(Sys *s)
{
    s->t_end = cpu_close(&s->cpu, evq_now(s->q));
    tlhook_mark(s, "measurement ends", s->t_end);
}

void sys_delivered(Sys *s, uint64_t seq, uint32_t len, SimTime t_send)
{
    SimTime now = evq_now(s->q);
    uint64_t end = seq + len;
    if (s->measuring && t_send && now >= t_send)
        stats_hist_add(s->latency, now - t_send);
    if (!s->measuring && end >= s->warmup_bytes && !s->cpu.in_piece)
        start_measuring(s); /* else at the end of that piece (dispatch) */
    if (end >= s->total_bytes && !s->done) {
        s->done = true;
        s->bytes_at_end = end;
        s->t_end = 0;
        if (!s->cpu.in_piece) /* else at the end of that piece (dispatch) */
            end_measuring(s);
        evq_stop(s->q);
    }
}

/* ---- construction ------------------------------------------------------------ */

/* replay.vm_mac, when given, into `mac` (and *has = true); -1 with a message. */
static int vm_mac_option(const Config *cfg, uint8_t mac[6], bool *has, char *err, size_t errlen)
{
    const char *text = cfg_str(cfg, CFG_REPLAY_VM_MAC);
    *has = false;
    if (!text[0])
        return 0;
    if (dtrace_parse_mac(text, mac) != 0) {
        snprintf(err, errlen, "replay.vm_mac: \"%s\" is not a MAC address (aa:bb:cc:dd:ee:ff)", text);
        return -1;
    }
    *has = true;
    return 0;
}

/* replay.* keys -> ReplayOptions; -1 with a message on a bad value. */
static int replay_options(const Config *cfg, ReplayOptions *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->pcap = cfg_str(cfg, CFG_REPLAY_PCAP);
    if (vm_mac_option(cfg, o->vm_mac, &o->has_mac, err, errlen) != 0)
        return -1;
    o->pace = strcmp(cfg_str(cfg, CFG_REPLAY_PACE), "afap") == 0 ? REPLAY_PACE_AFAP : REPLAY_PACE_TIMED;
    o->speed = cfg_num(cfg, CFG_REPLAY_SPEED);
    o->wire_pcap = cfg_str(cfg, CFG_REPLAY_WIRE_PCAP);
    return 0;
}

/* replay.* keys -> DtgOptions (driver-trace replay); -1 with a message. */
static int dtg_options(const Config *cfg, DtgOptions *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->trace = cfg_str(cfg, CFG_REPLAY_DRIVER_TRACE);
    o->pcap = cfg_str(cfg, CFG_REPLAY_PCAP);
    o->wire_pcap = cfg_str(cfg, CFG_REPLAY_WIRE_PCAP);
    if (vm_mac_option(cfg, o->vm_mac, &o->has_mac, err, errlen) != 0)
        return -1;
    if (!strcmp(o->pcap, "-")) {
        snprintf(err, errlen, "replay.pcap: a driver-trace replay reads its capture from a file, not "
                 "standard input");
        return -1;
    }
    return 0;
}

#define DTG_GMEM_BYTES (1ull << 32) /* a recording's rings may sit anywhere in 32-bit space */

Model *model_new(const Config *cfg, char *err, size_t errlen)
{
    bool dtrace = cfg_str(cfg, CFG_REPLAY_DRIVER_TRACE)[0] != 0;
    DtgOptions dto;
    if (dtrace && dtg_options(cfg, &dto, err, errlen) != 0)
        return NULL;
    bool replay = cfg_str(cfg, CFG_REPLAY_PCAP)[0] != 0 || dtrace;
    if (!replay && cfg_str(cfg, CFG_REPLAY_WIRE_PCAP)[0]) {
        snprintf(err, errlen, "replay.wire_pcap: only a pcap replay (replay.pcap) writes the wire");
        return NULL;
    }
    ReplayOptions ro;
    if (replay && !dtrace && replay_options(cfg, &ro, err, errlen) != 0)
        return NULL;
    if (replay) {
        /* the nettest checks below do not apply */
    } else if (strcmp(cfg_str(cfg, CFG_WORKLOAD_KIND), "nettest") != 0) {
        snprintf(err, errlen, "workload.kind: only \"nettest\" is modelled");
        return NULL;
    } else if (cfg_int(cfg, CFG_WORKLOAD_WARMUP_BYTES) >= cfg_int(cfg, CFG_WORKLOAD_BYTES)) {
        snprintf(err, errlen, "workload.warmup_bytes (%" PRId64 ") must be smaller than "
                 "workload.bytes (%" PRId64 ")", cfg_int(cfg, CFG_WORKLOAD_WARMUP_BYTES),
                 cfg_int(cfg, CFG_WORKLOAD_BYTES));
        return NULL;
    }
    if (cfg_int(cfg, CFG_LINK_MTU_BYTES) > 1500) {
        snprintf(err, errlen, "link.mtu_bytes (%" PRId64 "): the modelled pcnet32 driver and VMNet "
                 "carry Ethernet frames of at most 1500 bytes of MTU", cfg_int(cfg, CFG_LINK_MTU_BYTES));
        return NULL;
    }
    int pers = pcnet32_personality_parse(cfg_str(cfg, CFG_GUEST_DRIVER));
    if (pers < 0) {
        snprintf(err, errlen, "guest.driver: unknown personality \"%s\"", cfg_str(cfg, CFG_GUEST_DRIVER));
        return NULL;
    }
    Model *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "model: out of memory");
        return NULL;
    }
    Sys *s = &m->s;
    s->cfg = cfg;
    s->q = evq_new();
    costs_load(&s->costs, cfg);
    s->hosted = strcmp(cfg_str(cfg, CFG_VMM_MODE), "hosted") == 0;
    s->pers = (DrvPersonality)pers;
    memcpy(s->guest_mac, GUEST_MAC, 6);
    memcpy(s->peer_mac, PEER_MAC, 6);
    s->total_bytes = (uint64_t)cfg_int(cfg, CFG_WORKLOAD_BYTES);
    s->warmup_bytes = (uint64_t)cfg_int(cfg, CFG_WORKLOAD_WARMUP_BYTES);
    uint64_t ram = (uint64_t)cfg_int(cfg, CFG_GUEST_RAM_MB) << 20;
    s->gmem = gmem_new(dtrace && ram < DTG_GMEM_BYTES ? DTG_GMEM_BYTES : ram);
    s->latency = stats_hist_new();
    if (dtrace && s->q) {
        /* the recorded driver: its trace, its frames, the VM's MAC from its probe */
        s->dtg = dtg_new(s, &dto, err, errlen);
        if (!s->dtg) {
            model_free(m);
            return NULL;
        }
        s->replay = dtg_replay(s->dtg);
        dtg_vm_mac(s->dtg, s->guest_mac);
        s->warmup_bytes = 0;
    } else if (replay && s->q) {
        /* before the device exists: the VM's MAC comes from the capture */
        s->replay = replay_new(s, &ro, err, errlen);
        if (!s->replay) {
            model_free(m);
            return NULL;
        }
        replay_vm_mac(s->replay, s->guest_mac);
        s->warmup_bytes = 0;
    }
    if (!s->q || !s->gmem || !s->latency || vmapp_init(s) || vmnet_init(s) || guest_init(s) ||
        tcp_init(s)) {
        snprintf(err, errlen, "model: out of memory");
        model_free(m);
        return NULL;
    }
    peer_init(s);
    wire_init(&s->wire, s->q, (uint64_t)cfg_int(cfg, CFG_LINK_RATE_MBPS),
              (SimTime)cfg_int(cfg, CFG_LINK_PROPAGATION_NS) * SIM_NS);
    wire_set_rx(&s->wire, WIRE_TO_PEER, peer_wire_rx, s);
    wire_set_rx(&s->wire, WIRE_TO_HOST, s->hosted ? vmnet_wire_rx : vmapp_native_wire_rx, s);
    cpu_init(&s->cpu, s->q, dispatch, s, s->hosted ? s->costs.world_switch : 0,
             s->hosted ? s->costs.ws_penalty : 0);
    /* one stream for every varied cost, host and peer (docs/model.md section 6) */
    cpu_set_variability(&s->cpu, (uint32_t)llround(cfg_num(cfg, CFG_COSTS_VARIABILITY_PCT) * 1e4),
                        (uint64_t)cfg_int(cfg, CFG_SEED) ^ 0x76617269616269ULL);
    vmm_init(s); /* after the CPU: it watches its world switches */
    if (s->hosted) {
        cpu_set_preempt(&s->cpu, preempt, s);
        cpu_set_preempt2(&s->cpu, preempt_guest, s);
    }
    const DrvPorts *ports = s->replay ? replay_ports(s->replay, &s->vmm.ports) : &s->vmm.ports;
    const char *rec = cfg_str(cfg, CFG_REPLAY_RECORD_DRIVER_TRACE);
    if (!rec[0] && cfg_str(cfg, CFG_REPLAY_RECORD_DRIVER_PCAP)[0]) {
        snprintf(err, errlen, "replay.record_driver_pcap: only with replay.record_driver_trace");
        model_free(m);
        return NULL;
    }
    if (rec[0]) { /* outermost: the accesses as the driver makes them */
        char src[256];
        snprintf(src, sizeof src, "vnicsim run: preset %s, guest.driver %s, vmm.mode %s, workload %s%.160s",
                 cfg_name(cfg), cfg_str(cfg, CFG_GUEST_DRIVER), cfg_str(cfg, CFG_VMM_MODE),
                 dtrace ? "driver-trace " : replay ? "pcap " : "nettest",
                 dtrace ? cfg_str(cfg, CFG_REPLAY_DRIVER_TRACE) : replay ? cfg_str(cfg, CFG_REPLAY_PCAP) : "");
        s->dtrec = dtrec_new(s, rec, cfg_str(cfg, CFG_REPLAY_RECORD_DRIVER_PCAP), src, err, errlen);
        if (!s->dtrec) {
            model_free(m);
            return NULL;
        }
        ports = dtrec_ports(s->dtrec, ports);
    }
    s->drv = pcnet32_new(s->pers, ports, &s->gk.stack, s->gmem, GUEST_DMA_BASE);
    if (!s->drv) {
        snprintf(err, errlen, "model: cannot create the guest driver");
        model_free(m);
        return NULL;
    }
    if (s->dtg)
        dtg_attach(s->dtg, ports);
    if (s->replay)
        replay_attach(s->replay);
    if (s->warmup_bytes == 0)
        start_measuring(s);
    evq_at(s->q, s->gk.tick_period_ps, guest_timer_event, s, 0);
    if (s->hosted)
        evq_at(s->q, s->vmnet.tick_period_ps, vmnet_timer_event, s, 0);
    cpu_kick(&s->cpu);
    return m;
}

void model_free(Model *m)
{
    if (!m)
        return;
    Sys *s = &m->s;
    replay_free(s->replay); /* an unfinished wire pcap is discarded */
    dtrec_free(s->dtrec);   /* so is an unfinished driver-trace recording */
    dtg_free(s->dtg);
    pcnet32_free(s->drv);
    vmapp_free(s);
    vmnet_free(s);
    guest_free(s);
    tcp_free(s);
    wire_free(&s->wire);
    if (s->latency)
        stats_hist_free(s->latency);
    gmem_free(s->gmem);
    evq_free(s->q);
    free(m);
}

/* ---- running --------------------------------------------------------------- */

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int model_run(Model *m, volatile sig_atomic_t *interrupt, ModelProgressFn progress,
              void *opaque, char *err, size_t errlen)
{
    Sys *s = &m->s;
    SimTime limit = (SimTime)(cfg_num(s->cfg, CFG_RUN_MAX_SIM_TIME_MS) * (double)SIM_MS);
    const SimTime slice = 10 * SIM_MS;
    double last = wall_seconds();
    /* The horizon advances by whole slices on its own: evq_now() stays at the last
     * event run, so a quiet slice (no event in it) must still move the horizon on. */
    SimTime horizon = evq_now(s->q);
    while (!s->done && !s->failed) {
        if (interrupt && *interrupt)
            return 1;
        if (horizon >= limit && s->replay) {
            snprintf(err, errlen, "model: the replay did not finish within run.max_sim_time_ms");
            return -1;
        }
        if (horizon >= limit) {
            snprintf(err, errlen, "model: the transfer did not finish within run.max_sim_time_ms "
                     "(%" PRIu64 " of %" PRIu64 " bytes delivered)", s->peer.rcv_nxt, s->total_bytes);
            return -1;
        }
        horizon = limit - horizon > slice ? horizon + slice : limit;
        evq_run(s->q, horizon, interrupt);
        if (evq_size(s->q) == 0 && !s->done) {
            snprintf(err, errlen, "model: nothing left to do before the end of the transfer");
            return -1;
        }
        if (progress) {
            double w = wall_seconds();
            if (w - last >= 0.25) {
                last = w;
                progress(opaque, evq_now(s->q),
                         s->replay ? replay_progress(s->replay)
                                   : (double)s->peer.rcv_nxt / (double)s->total_bytes,
                         evq_executed(s->q));
            }
        }
    }
    if (s->failed) {
        snprintf(err, errlen, "%s", s->err);
        return -1;
    }
    if (s->replay && replay_finish(s->replay, err, errlen) != 0)
        return -1;
    if (s->dtrec) {
        Dtrec *r = s->dtrec;
        s->dtrec = NULL;
        if (dtrec_finish(r, err, errlen) != 0)
            return -1;
    }
    return 0;
}

int model_timeline(Model *m, Timeline *tl, char *err, size_t errlen)
{
    if (tlhook_attach(&m->s, tl) != 0) {
        snprintf(err, errlen, "model: the timeline has no room for the model's tracks");
        return -1;
    }
    return 0;
}

void model_timeline_detach(Model *m) { tlhook_finish(&m->s); }

uint64_t model_events(const Model *m) { return evq_executed(m->s.q); }
SimTime model_sim_time(const Model *m) { return evq_now(m->s.q); }
