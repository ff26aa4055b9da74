/* test_model_irq: guest (virtual) interrupts are taken where the guest has its
 * interrupt flag on (model/guest/kernel.h): one raised while the guest runs with
 * IF=1 (send() entry/exit, the copy, TCP's per-segment work, the bottom half) is
 * taken nested at that very charge boundary; one raised with IF=0 (the driver's
 * start_xmit under its lock, the hard ISR) waits for a later IF=1 point or the
 * routine's end. Probes raise the guest's timer interrupt at many points of a
 * short Workstation 2.0 transfer (guest.hz=1: no tick of its own) and check where
 * each was taken. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "model/model.h"
#include "model/sys.h"
#include "sim/config.h"

enum { K_IF_ON, K_XMIT_OR_OFF, K_ISR, K__N };

typedef struct Probe {
    Sys *s;
    bool outstanding;
    int kind;
    uint64_t ticks0;
    SimTime raised;
    unsigned raised_n[K__N], at_once[K__N], later[K__N], later_nested_if_off[K__N];
    unsigned nested_total;
} Probe;

static int classify(const Sys *s)
{
    const Cpu *c = &s->cpu;
    if (!c->in_piece || c->hold || c->in_preempt || c->in_preempt2 || s->gk.halted)
        return -1;
    if (s->gk.in_hardirq)
        return K_ISR;
    if (s->gk.if_on)
        return c->world == CPU_WORLD_VMM ? K_IF_ON : -1;
    return s->gk.in_task ? K_XMIT_OR_OFF : -1;
}

static void probe_event(void *opaque, uint64_t arg)
{
    (void)arg;
    Probe *p = opaque;
    Sys *s = p->s;
    GuestKernel *g = &s->gk;
    if (p->outstanding && g->ticks_taken > p->ticks0) {
        p->outstanding = false;
        if (g->last_tick_t == p->raised && g->last_tick_nested)
            p->at_once[p->kind]++;
        else if (g->last_tick_t > p->raised) {
            p->later[p->kind]++;
            if (g->last_tick_nested && !g->last_tick_if)
                p->later_nested_if_off[p->kind]++;
        }
        p->nested_total += g->last_tick_nested;
    }
    if (!p->outstanding && !g->timer_pending && !s->done) {
        int k = classify(s);
        if (k >= 0) {
            p->outstanding = true;
            p->kind = k;
            p->ticks0 = g->ticks_taken;
            p->raised = s->cpu.t;
            p->raised_n[k]++;
            g->timer_pending = true;
            cpu_kick(&s->cpu);
        }
    }
    if (!s->done)
        evq_after(s->q, 97301 * SIM_NS, probe_event, p, 0);
}

static void test_if_points(const char *driver)
{
    CfgError e;
    Config *c = cfg_new();
    char drv[64];
    snprintf(drv, sizeof drv, "guest.driver=%s", driver);
    const char *sets[] = {"workload.bytes=1500000", "workload.warmup_bytes=100000", "guest.hz=1", drv};
    CHECK(c && cfg_apply_preset(c, "ws2-pc733", &e) == 0);
    for (size_t i = 0; c && i < sizeof sets / sizeof *sets; i++)
        CHECK(cfg_apply_set(c, sets[i], &e) == 0);
    char err[256] = "";
    Model *m = c ? model_new(c, err, sizeof err) : NULL;
    CHECK(m != NULL);
    if (!m) {
        cfg_free(c);
        return;
    }
    Probe p;
    memset(&p, 0, sizeof p);
    p.s = &m->s;
    evq_at(p.s->q, 50 * SIM_US, probe_event, &p, 0);
    int rc = model_run(m, NULL, NULL, NULL, err, sizeof err);
    if (rc)
        printf("model_run: %s\n", err);
    CHECK(rc == 0);
    printf("# %s: raised IF=1 %u (at once %u, later %u), IF=0 outside ISR %u (at once %u, later %u), "
           "ISR %u (at once %u, later %u); nested %u\n", driver,
           p.raised_n[K_IF_ON], p.at_once[K_IF_ON], p.later[K_IF_ON],
           p.raised_n[K_XMIT_OR_OFF], p.at_once[K_XMIT_OR_OFF], p.later[K_XMIT_OR_OFF],
           p.raised_n[K_ISR], p.at_once[K_ISR], p.later[K_ISR], p.nested_total);
    /* every kind of point was probed many times */
    for (int k = 0; k < K__N; k++)
        CHECK(p.raised_n[k] >= 20);
    /* IF=1: taken at the very boundary, nested (the last probe may be pending) */
    CHECK(p.at_once[K_IF_ON] + 1 >= p.raised_n[K_IF_ON]);
    CHECK_EQ_U(p.later[K_IF_ON], 0);
    /* IF=0 (start_xmit, the context switch) and the ISR: never at once; later,
     * and when nested then at a point where the interrupted code had IF=1 */
    for (int k = K_XMIT_OR_OFF; k <= K_ISR; k++) {
        CHECK_EQ_U(p.at_once[k], 0);
        CHECK(p.later[k] + 1 >= p.raised_n[k]);
        CHECK_EQ_U(p.later_nested_if_off[k], 0);
    }
    /* some IF=0 raises are taken nested at a later IF=1 point, some at the end */
    CHECK(p.nested_total > p.at_once[K_IF_ON]);
    CHECK(p.nested_total < p.raised_n[K_IF_ON] + p.raised_n[K_XMIT_OR_OFF] + p.raised_n[K_ISR]);
    model_free(m);
    cfg_free(c);
}

int main(void)
{
    test_if_points("pcnet32-2001");
    test_if_points("pcnet32-napi");
    return check_report("test_model_irq");
}
