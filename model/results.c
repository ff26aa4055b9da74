/* results: results.json and the printed summary of a model run.
 *
 * Everything here is read off the CPU's accounting and the event counters over
 * the measured interval (after the warm-up): the breakdown tables are the
 * category sums, never computed apart.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "model/sys.h"

typedef struct Row {
    const char *id;
    SimTime time;
    uint64_t count;
    bool has_avg;
} Row;

static SimTime interval(const Sys *s)
{
    SimTime end = s->done ? s->t_end : (s->cpu.idle && evq_now(s->q) > s->cpu.t ? evq_now(s->q) : s->cpu.t);
    return end > s->cpu.acct_start ? end - s->cpu.acct_start : 0;
}

/* Idle as the study measured it: from the guest's HLT to the next interrupt, i.e.
 * the CPU's idle time (cpu_close() at the end accounted it up to t_end) plus the
 * HLT's own path up to it (CAT_HLT_ENTRY). detail.idle_ps is the CPU's idle alone. */
static SimTime idle_time(const Sys *s)
{
    return s->cpu.idle_time + s->cpu.cat_time[CAT_HLT_ENTRY];
}

static SimTime vmm_share(const Sys *s)
{
    SimTime v = 0;
    for (int i = 0; i < CAT__VMM_END; i++)
        v += s->cpu.cat_time[i];
    return v;
}

static size_t total_rows(const Sys *s, Row *r)
{
    const Cpu *c = &s->cpu;
    size_t n = 0;
    uint64_t vcount = 0;
    for (int i = 0; i < CAT__VMM_END; i++)
        vcount += c->cat_count[i];
    r[n++] = (Row){"vmm", vmm_share(s), vcount, false};
    static const CostCat host[] = {CAT_VMNET_TX, CAT_VMNET_RX, CAT_LANCE_TX_EMU, CAT_LANCE_STATUS_EMU,
                                   CAT_LANCE_OTHER_EMU, CAT_HOST_IRQ, CAT_HOST_OTHER,
                                   CAT_NATIVE_GUEST, CAT_NATIVE_PORT_IO};
    for (size_t i = 0; i < sizeof host / sizeof host[0]; i++)
        r[n++] = (Row){cost_cat_name(host[i]), c->cat_time[host[i]], c->cat_count[host[i]], true};
    r[n++] = (Row){"idle", idle_time(s), c->idle_periods, true};
    return n;
}

static size_t vmm_rows(const Sys *s, Row *r)
{
    const Cpu *c = &s->cpu;
    size_t n = 0;
    static const CostCat order[] = {CAT_INOUT_SWITCHING, CAT_INOUT_IN_VMM, CAT_INOUT_LANCE_ADDRESS,
                                    CAT_INOUT_LANCE_STATUS, CAT_INOUT_PIC, CAT_GUEST_UNVIRT,
                                    CAT_GUEST_VIRT_OTHER, CAT_GUEST_CTXSW};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        r[n++] = (Row){cost_cat_name(order[i]), c->cat_time[order[i]], c->cat_count[order[i]], true};
    r[n++] = (Row){"guest_idle", s->hosted ? idle_time(s) : 0, s->hosted ? c->idle_periods : 0, true};
    r[n++] = (Row){"host_irq_while_guest_idle", s->hosted ? s->host_irq_idle_time : 0,
                   s->hosted ? s->host_irq_idle_count : 0, true};
    static const CostCat tail[] = {CAT_VIRQ, CAT_IRET, CAT_TRANSITIONS, CAT_HOST_IRQ_SWITCH};
    for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++)
        r[n++] = (Row){cost_cat_name(tail[i]), c->cat_time[tail[i]], c->cat_count[tail[i]], true};
    r[0].has_avg = true;
    return n;
}

static SimTime rows_sum(const Row *r, size_t n)
{
    SimTime t = 0;
    for (size_t i = 0; i < n; i++)
        t += r[i].time;
    return t;
}

static json_t *rows_json(const Row *r, size_t n, SimTime denom)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        double pct = denom ? 100.0 * (double)r[i].time / (double)denom : 0.0;
        json_t *avg = (r[i].has_avg && r[i].count)
                          ? json_real((double)r[i].time / (double)r[i].count / (double)SIM_US)
                          : json_null();
        json_object_set_new(o, r[i].id, json_pack("{s:f,s:o,s:I}", "pct", pct, "avg_us", avg,
                                                  "count", (json_int_t)r[i].count));
    }
    return o;
}

static double per(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0.0; }

static double us(uint64_t ps) { return (double)ps / (double)SIM_US; }

json_t *model_results(const Model *m)
{
    const Sys *s = &m->s;
    const Cpu *c = &s->cpu;
    SimTime T = interval(s);
    double secs = (double)T / (double)SIM_S;
    uint64_t bytes = (s->done ? s->bytes_at_end : s->peer.rcv_nxt) - s->bytes_at_start;
    uint64_t txf = s->n.tx_frames_wire;
    SimTime busy = cpu_busy_time(c);                          /* every category */
    SimTime busy_measured = busy - c->cat_time[CAT_HLT_ENTRY]; /* as the study measured */

    json_t *lat = json_pack("{s:f,s:f,s:f,s:f}",
                            "p50", us(stats_hist_quantile(s->latency, 0.50)),
                            "p90", us(stats_hist_quantile(s->latency, 0.90)),
                            "p99", us(stats_hist_quantile(s->latency, 0.99)),
                            "max", us(stats_hist_max(s->latency)));
    size_t nb = stats_hist_buckets(s->latency, NULL, NULL, 0);
    json_t *ub = json_array(), *cnt = json_array();
    if (nb) {
        uint64_t *u = calloc(nb, sizeof *u), *k = calloc(nb, sizeof *k);
        if (u && k) {
            stats_hist_buckets(s->latency, u, k, nb);
            for (size_t i = 0; i < nb; i++) {
                json_array_append_new(ub, json_real(us(u[i])));
                json_array_append_new(cnt, json_integer((json_int_t)k[i]));
            }
        }
        free(u);
        free(k);
    }
    json_t *metrics = json_object();
    json_object_set_new(metrics, "goodput_mbps", json_real(secs > 0 ? (double)bytes * 8.0 / secs / 1e6 : 0.0));
    json_object_set_new(metrics, "tx_frames_per_s", json_real(secs > 0 ? (double)txf / secs : 0.0));
    json_object_set_new(metrics, "rx_frames_per_s", json_real(secs > 0 ? (double)s->n.rx_frames_wire / secs : 0.0));
    json_object_set_new(metrics, "cpu_busy_pct", json_real(T ? 100.0 * (double)busy_measured / (double)T : 0.0));
    json_object_set_new(metrics, "cpu_idle_pct", json_real(T ? 100.0 * (double)idle_time(s) / (double)T : 0.0));
    json_object_set_new(metrics, "world_switches_per_tx_frame", json_real(per(c->world_switches, txf)));
    json_object_set_new(metrics, "port_accesses_per_tx_frame", json_real(per(s->n.port_accesses, txf)));
    json_object_set_new(metrics, "port_accesses_in_vmm_per_tx_frame", json_real(per(s->n.port_in_vmm, txf)));
    json_object_set_new(metrics, "port_accesses_switching_per_tx_frame", json_real(per(s->n.port_switching, txf)));
    json_object_set_new(metrics, "virtual_irqs_per_tx_frame", json_real(per(s->n.virqs, txf)));
    json_object_set_new(metrics, "host_irqs_per_tx_frame", json_real(per(s->n.host_irqs, txf)));
    json_object_set_new(metrics, "syscalls_per_tx_frame", json_real(per(s->n.syscalls, txf)));
    json_object_set_new(metrics, "latency_us", lat);
    json_object_set_new(metrics, "latency_hist", json_pack("{s:o,s:o}", "upper_us", ub, "count", cnt));

    Row tr[16], vr[16];
    size_t nt = total_rows(s, tr), nv = vmm_rows(s, vr);
    json_t *bd = json_pack("{s:o,s:o}", "total", rows_json(tr, nt, T), "vmm",
                           rows_json(vr, nv, rows_sum(vr, nv)));

    json_t *cat_ps = json_object();
    for (int i = 0; i < CAT__COUNT; i++)
        json_object_set_new(cat_ps, cost_cat_name((CostCat)i), json_integer((json_int_t)c->cat_time[i]));
    json_t *counts = json_object();
#define CNT(name) json_object_set_new(counts, #name, json_integer((json_int_t)s->n.name))
    CNT(port_accesses); CNT(port_in_vmm); CNT(port_switching); CNT(pic_accesses); CNT(virqs);
    CNT(irets); CNT(priv_insns); CNT(traps); CNT(hlts); CNT(host_irqs); CNT(host_irqs_forced);
    CNT(syscalls); CNT(guest_irqs); CNT(guest_ctxsw); CNT(guest_ticks); CNT(tx_segments);
    CNT(rx_acks); CNT(tx_frames_wire); CNT(rx_frames_wire); CNT(vmnet_tx); CNT(vmnet_rx);
    CNT(lance_tx_emu); CNT(lance_status_emu); CNT(lance_other_emu); CNT(drv_accesses);
#undef CNT
    json_object_set_new(counts, "guest_irqs_nested", json_integer((json_int_t)s->gk.nested_irqs));
    json_object_set_new(counts, "sc_combined", json_integer((json_int_t)s->vmm.sc_combined));
    json_object_set_new(counts, "sc_forced", json_integer((json_int_t)s->vmm.sc_forced));
    json_object_set_new(counts, "sc_flushed_frames", json_integer((json_int_t)s->vmm.sc_flushed_frames));
    json_object_set_new(counts, "world_switches", json_integer((json_int_t)c->world_switches));
    json_object_set_new(counts, "peer_acks", json_integer((json_int_t)s->peer.acks_sent));
    json_object_set_new(counts, "peer_segments", json_integer((json_int_t)s->peer.segments));
    json_object_set_new(counts, "peer_delack_timeouts", json_integer((json_int_t)s->peer.delack_fired));
    for (int w = 0; w < PEER_ACK__COUNT; w++) { /* measured interval */
        char k[48];
        snprintf(k, sizeof k, "peer_acks_%s", peer_ack_why_name((PeerAckWhy)w));
        json_object_set_new(counts, k, json_integer((json_int_t)s->peer.acks_why[w]));
    }
    json_object_set_new(counts, "peer_reads", json_integer((json_int_t)s->peer.reads));
    json_object_set_new(counts, "host_nic_irqs", json_integer((json_int_t)s->vmnet.irq_nic_count));
    json_object_set_new(counts, "host_nic_irqs_cna", json_integer((json_int_t)s->vmnet.irq_cna));
    json_object_set_new(counts, "host_nic_irqs_cx", json_integer((json_int_t)s->vmnet.irq_cx));
    json_object_set_new(counts, "host_nic_irqs_fr", json_integer((json_int_t)s->vmnet.irq_fr));
    json_object_set_new(counts, "host_nic_cu_suspends", json_integer((json_int_t)s->vmnet.cu_suspends));
    json_object_set_new(counts, "vmnet_rx_queued", json_integer((json_int_t)s->vmnet.rx_queued));
    json_object_set_new(counts, "vmnet_rx_deferred", json_integer((json_int_t)s->vmnet.rx_deferred));
    json_object_set_new(counts, "bytes", json_integer((json_int_t)bytes));
    json_object_set_new(counts, "segments_latency", json_integer((json_int_t)stats_hist_count(s->latency)));
    /* from VMNet's queue to the VMApp's read(), over the frames read */
    json_t *vmnet_wait = json_pack("{s:I,s:f,s:f}", "frames", (json_int_t)s->vmnet.rx_read, "mean",
                                   s->vmnet.rx_read ? us(s->vmnet.rx_wait_sum) / (double)s->vmnet.rx_read : 0.0,
                                   "max", us(s->vmnet.rx_wait_max));
    json_t *detail = json_pack("{s:I,s:I,s:I,s:I,s:o,s:o,s:I,s:o,s:s,s:s}",
                               "interval_ps", (json_int_t)T, "start_ps", (json_int_t)c->acct_start,
                               "busy_ps", (json_int_t)busy, "idle_ps", (json_int_t)c->idle_time,
                               "category_ps", cat_ps, "counts", counts,
                               "mss_bytes", (json_int_t)s->tcp.mss,
                               "vmnet_rx_wait_us", vmnet_wait,
                               "driver", pcnet32_personality_name(s->pers),
                               "vmm_mode", s->hosted ? "hosted" : "native");
    json_t *root = json_pack("{s:i,s:o,s:o,s:o}", "schema_version", 1, "metrics", metrics,
                             "breakdown", bd, "detail", detail);
    if (s->replay)
        json_object_set_new(root, "replay", replay_results(s->replay));
    if (s->dtg)
        json_object_set_new(root, "driver_trace", dtg_results(s->dtg));
    return root;
}

/* ---- human summary ------------------------------------------------------------ */

static const struct { const char *id, *label; } TOTAL_LABELS[] = {
    {"vmm", "VMM time"},
    {"vmnet_transmit", "Transmitting via VMNet"},
    {"lance_status_emulation", "Emulating the Lance status register (VMApp)"},
    {"host_irq", "Handling host IRQs"},
    {"lance_transmit_emulation", "Emulating the Lance transmit path (VMApp)"},
    {"vmnet_receive", "Receiving via VMNet"},
    {"lance_other_emulation", "Emulating other Lance accesses (VMApp)"},
    {"host_other", "Other host work (VMApp select())"},
    {"native_guest", "Guest OS and nettest, native"},
    {"native_port_io", "Port I/O, native"},
    {"idle", "Idle"},
};

static const struct { const char *id, *label; } VMM_LABELS[] = {
    {"inout_switching", "IN/OUTs requiring a switch to the VMApp"},
    {"guest_unvirtualized", "Guest instructions not requiring virtualization"},
    {"guest_virtualized_other", "Other guest instructions requiring virtualization"},
    {"inout_pic", "IN/OUTs handled in the VMM (PIC)"},
    {"inout_in_vmm", "IN/OUTs handled in the VMM (Lance data port)"},
    {"inout_lance_status", "IN/OUTs to the Lance status, in the VMM"},
    {"inout_lance_address", "IN/OUTs to the Lance address port"},
    {"transitions", "Transitioning to/from virtualization code"},
    {"host_irq_switching", "World switches forced by host IRQs"},
    {"iret", "Virtualizing IRET"},
    {"virtual_irq_delivery", "Delivering virtual IRQs"},
    {"guest_context_switch", "Guest context switches"},
    {"guest_idle", "Guest idle (HLT to next interrupt)"},
    {"host_irq_while_guest_idle", "Host IRQs while the guest is idle"},
};

static void print_table(FILE *out, const char *title, json_t *tab, const void *labels, size_t n,
                        uint64_t txf)
{
    const struct { const char *id, *label; } *l = labels;
    fprintf(out, "%-52s %7s %10s %9s\n", title, "%", "avg (us)", "per frame");
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_object_get(tab, l[i].id);
        if (!r)
            continue;
        double pct = json_real_value(json_object_get(r, "pct"));
        json_int_t cnt = json_integer_value(json_object_get(r, "count"));
        json_t *avg = json_object_get(r, "avg_us");
        if (pct == 0.0 && cnt == 0 && strcmp(l[i].id, "idle") != 0)
            continue;
        char a[32] = "-", pf[32] = "-";
        if (json_is_real(avg) && strcmp(l[i].id, "vmm") != 0)
            snprintf(a, sizeof a, "%.2f", json_real_value(avg));
        if (txf && strcmp(l[i].id, "vmm") && strcmp(l[i].id, "idle") && strcmp(l[i].id, "guest_unvirtualized") &&
            strcmp(l[i].id, "guest_idle"))
            snprintf(pf, sizeof pf, "%.2f", (double)cnt / (double)txf);
        fprintf(out, "  %-50s %7.1f %10s %9s\n", l[i].label, pct, a, pf);
    }
}

void model_print_summary(const Model *m, FILE *out)
{
    const Sys *s = &m->s;
    json_t *r = model_results(m);
    json_t *mt = json_object_get(r, "metrics"), *bd = json_object_get(r, "breakdown");
#define MV(k) json_real_value(json_object_get(mt, k))
    uint64_t txf = s->n.tx_frames_wire;
    char path[160];
    if (!s->hosted)
        snprintf(path, sizeof path, "native");
    else if (!s->vmm.port_handling && !s->vmm.sc_enabled && !s->vmm.irq_notification)
        snprintf(path, sizeof path, "hosted (Workstation 2.0 path)");
    else
        snprintf(path, sizeof path, "hosted with%s%s%s", s->vmm.port_handling ? " port handling in the VMM" : "",
                 s->vmm.sc_enabled ? (s->vmm.port_handling ? ", send combining" : " send combining") : "",
                 s->vmm.irq_notification ? ((s->vmm.port_handling || s->vmm.sc_enabled) ? ", IRQ notification" : " IRQ notification") : "");
    if (s->dtg)
        fprintf(out, "%s: %s, recorded driver %s\n", cfg_name(s->cfg), path,
                cfg_str(s->cfg, CFG_REPLAY_DRIVER_TRACE));
    else if (s->replay) /* the workload is the capture: rates and latency in its own table below */
        fprintf(out, "%s: %s, %s, replaying %s\n", cfg_name(s->cfg), path,
                pcnet32_personality_name(s->pers), cfg_str(s->cfg, CFG_REPLAY_PCAP));
    else
        fprintf(out, "%s: %s, %s, %" PRId64 " bytes in %" PRId64 "-byte send()s, MSS %u\n",
                cfg_name(s->cfg), path, pcnet32_personality_name(s->pers),
                cfg_int(s->cfg, CFG_WORKLOAD_BYTES), cfg_int(s->cfg, CFG_WORKLOAD_SEND_BYTES),
                s->tcp.mss);
    if (!s->replay)
        fprintf(out, "goodput %.2f Mb/s   ", MV("goodput_mbps"));
    fprintf(out, "tx %.0f frames/s   rx %.0f frames/s   CPU busy %.1f %%  idle %.1f %%\n",
            MV("tx_frames_per_s"), MV("rx_frames_per_s"), MV("cpu_busy_pct"), MV("cpu_idle_pct"));
    fprintf(out, "per transmitted frame: %.2f world switches, %.2f port accesses (%.2f in the VMM, "
            "%.2f switching), %.2f virtual IRQs, %.2f host IRQs, %.2f send() calls\n",
            MV("world_switches_per_tx_frame"), MV("port_accesses_per_tx_frame"),
            MV("port_accesses_in_vmm_per_tx_frame"), MV("port_accesses_switching_per_tx_frame"),
            MV("virtual_irqs_per_tx_frame"), MV("host_irqs_per_tx_frame"), MV("syscalls_per_tx_frame"));
    json_t *lat = json_object_get(mt, "latency_us");
    if (!s->replay)
        fprintf(out, "segment latency (send() to peer TCP): p50 %.1f us  p90 %.1f us  p99 %.1f us  "
                "max %.1f us\n", json_real_value(json_object_get(lat, "p50")),
                json_real_value(json_object_get(lat, "p90")),
                json_real_value(json_object_get(lat, "p99")), json_real_value(json_object_get(lat, "max")));
    fprintf(out, "\n");
    print_table(out, "Total time", json_object_get(bd, "total"), TOTAL_LABELS,
                sizeof TOTAL_LABELS / sizeof TOTAL_LABELS[0], txf);
    if (s->hosted) {
        fprintf(out, "\n");
        print_table(out, "VMM time", json_object_get(bd, "vmm"), VMM_LABELS,
                    sizeof VMM_LABELS / sizeof VMM_LABELS[0], txf);
    }
#undef MV
    if (s->replay)
        replay_print_summary(s->replay, out);
    if (s->dtg)
        dtg_print_summary(s->dtg, out);
    json_decref(r);
}
