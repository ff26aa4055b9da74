/* test_model_cpu: the host CPU (model/host/cpu.c) on its own: run-to-completion
 * work, interrupts taken at the end of a routine, world switches and their
 * penalty, idle time, and exact accounting across a reset; with a preemption
 * hook, interrupts taken inside a routine at their arrival time. */
#include "check.h"
#include "model/host/cpu.h"

typedef struct Fake {
    Cpu cpu;
    Evq *q;
    int work;              /* routines left to run */
    int irq;               /* pending "interrupts" */
    SimTime irq_taken_at[4];
    int irqs_taken;
    int switches_seen;
} Fake;

static void fake_dispatch(void *opaque)
{
    Fake *f = opaque;
    if (f->irq) {
        f->irq--;
        if (f->irqs_taken < 4)
            f->irq_taken_at[f->irqs_taken++] = f->cpu.t;
        cpu_world(&f->cpu, CPU_WORLD_HOST, CAT_HOST_IRQ);
        cpu_charge(&f->cpu, 2 * SIM_US, CAT_HOST_IRQ);
        cpu_continue(&f->cpu);
        return;
    }
    if (f->work) {
        f->work--;
        cpu_world(&f->cpu, CPU_WORLD_VMM, CAT_TRANSITIONS);
        cpu_charge(&f->cpu, 10 * SIM_US, CAT_GUEST_UNVIRT);
        cpu_continue(&f->cpu);
        return;
    }
    cpu_go_idle(&f->cpu);
}

static void raise_irq(void *opaque, uint64_t arg)
{
    (void)arg;
    Fake *f = opaque;
    f->irq++;
    cpu_kick(&f->cpu);
}

static void on_switch(void *opaque, SimTime t)
{
    (void)t;
    ((Fake *)opaque)->switches_seen++;
}

static SimTime sum(const Cpu *c)
{
    SimTime s = 0;
    for (int i = 0; i < CAT__COUNT; i++)
        s += c->cat_time[i];
    return s;
}

/* ---- preemption: a hook takes "host IRQs" at charge boundaries ------------------ */

typedef struct Pre {
    Cpu cpu;
    Evq *q;
    int irq;
    SimTime taken_at[8];
    CpuWorld taken_in[8];
    int taken;
    int nested_hook; /* the hook found itself running (must stay 0) */
    bool in_hook;
    int phase;       /* 0: boot; 1: a 50 us guest charge; 2: a held device call */
} Pre;

static void pre_hook(void *opaque)
{
    Pre *p = opaque;
    if (p->in_hook)
        p->nested_hook++;
    p->in_hook = true;
    while (p->irq) {
        p->irq--;
        if (p->taken < 8) {
            p->taken_at[p->taken] = p->cpu.t;
            p->taken_in[p->taken] = p->cpu.world;
            p->taken++;
        }
        bool was_vmm = p->cpu.world == CPU_WORLD_VMM;
        cpu_world(&p->cpu, CPU_WORLD_HOST, CAT_HOST_IRQ_SWITCH);
        cpu_charge(&p->cpu, 2 * SIM_US, CAT_HOST_IRQ);
        if (was_vmm)
            cpu_world(&p->cpu, CPU_WORLD_VMM, CAT_HOST_IRQ_SWITCH);
    }
    p->in_hook = false;
}

static void pre_dispatch(void *opaque)
{
    Pre *p = opaque;
    if (p->phase == 1) {
        p->phase = 0;
        cpu_world(&p->cpu, CPU_WORLD_VMM, CAT_TRANSITIONS); /* 0 -> 4 us */
        cpu_charge(&p->cpu, 50 * SIM_US, CAT_GUEST_UNVIRT);
        cpu_continue(&p->cpu);
        return;
    }
    if (p->phase == 2) {
        p->phase = 0;
        cpu_world(&p->cpu, CPU_WORLD_HOST, CAT_TRANSITIONS);
        cpu_hold(&p->cpu); /* a device call: its charges are not preemption points */
        cpu_charge(&p->cpu, 20 * SIM_US, CAT_LANCE_TX_EMU);
        cpu_release(&p->cpu);
        cpu_world(&p->cpu, CPU_WORLD_VMM, CAT_TRANSITIONS); /* taken before this */
        cpu_charge(&p->cpu, 10 * SIM_US, CAT_GUEST_UNVIRT);
        cpu_continue(&p->cpu);
        return;
    }
    cpu_go_idle(&p->cpu);
}

static void pre_irq(void *opaque, uint64_t arg)
{
    (void)arg;
    Pre *p = opaque;
    p->irq++;
    cpu_kick(&p->cpu); /* a no-op while the routine runs */
}

static void test_preempt(void)
{
    Pre p = {0};
    p.q = evq_new();
    cpu_init(&p.cpu, p.q, pre_dispatch, &p, 3 * SIM_US, 1 * SIM_US);
    cpu_set_preempt(&p.cpu, pre_hook, &p);
    p.phase = 1;
    cpu_kick(&p.cpu);
    /* inside the 50 us charge (4..54 us): IRQs at 20 us and at 21 us (the second
     * arrives while the first is handled: taken after it, not inside it) */
    evq_at(p.q, 20 * SIM_US, pre_irq, &p, 0);
    evq_at(p.q, 21 * SIM_US, pre_irq, &p, 0);
    evq_run(p.q, SIM_TIME_MAX, NULL);
    CHECK_EQ_U(p.taken, 2);
    CHECK_EQ_U(p.taken_at[0], 20 * SIM_US);   /* at its arrival, not at the end */
    CHECK(p.taken_in[0] == CPU_WORLD_VMM);
    /* the first: switch 3 + refill 1, handler 2, switch back 3 + 1 = 10 us; the
     * second is found pending when the hook's charges end (the hook's own loop) */
    CHECK_EQ_U(p.taken_at[1], 20 * SIM_US + 10 * SIM_US);
    CHECK_EQ_U(p.nested_hook, 0);
    /* the routine: 4 + 50 us of its own + 2 x 10 us of interrupts */
    CHECK_EQ_U(p.cpu.t, 74 * SIM_US);
    CHECK_EQ_U(p.cpu.cat_count[CAT_GUEST_UNVIRT], 1); /* one charge, split: one event */
    CHECK_EQ_U(p.cpu.cat_time[CAT_GUEST_UNVIRT], 50 * SIM_US + 5 * SIM_US); /* + 5 refills */
    CHECK_EQ_U(p.cpu.cat_time[CAT_HOST_IRQ], 4 * SIM_US);
    CHECK(p.cpu.nested_events >= 2);
    SimTime end = cpu_close(&p.cpu, 100 * SIM_US);
    CHECK_EQ_U(sum(&p.cpu) + p.cpu.idle_time, end - p.cpu.acct_start);

    /* a device call (cpu_hold) is never preempted: an IRQ arriving in it is taken
     * by the host world at the switch back to the VMM, without a switch */
    p.taken = 0;
    p.phase = 2;
    evq_at(p.q, 110 * SIM_US, pre_irq, &p, 0); /* wakes the CPU: the routine */
    p.irq = -1;                                 /* that wake-up is not an IRQ */
    evq_at(p.q, 120 * SIM_US, pre_irq, &p, 0);  /* inside the held 20 us (114..134) */
    evq_run(p.q, SIM_TIME_MAX, NULL);
    CHECK_EQ_U(p.taken, 1);
    CHECK_EQ_U(p.taken_at[0], 134 * SIM_US);
    CHECK(p.taken_in[0] == CPU_WORLD_HOST);
    end = cpu_close(&p.cpu, 300 * SIM_US);
    CHECK_EQ_U(sum(&p.cpu) + p.cpu.idle_time, end - p.cpu.acct_start);
    evq_free(p.q);
}

/* ---- the second hook (model.c: guest interrupts) ------------------------------- */

typedef struct Pre2 {
    Pre p;
    int girq;
    SimTime g_taken_at[4];
    int g_taken;
    bool in_g;
    int g_reentered, g_inside_first;
} Pre2;

static void g_hook(void *opaque)
{
    Pre2 *g = opaque;
    if (g->in_g)
        g->g_reentered++;
    if (g->p.in_hook)
        g->g_inside_first++;
    g->in_g = true;
    while (g->girq) {
        g->girq--;
        if (g->g_taken < 4)
            g->g_taken_at[g->g_taken++] = g->p.cpu.t;
        cpu_charge(&g->p.cpu, 5 * SIM_US, CAT_VIRQ);
    }
    g->in_g = false;
}

static void g_irq(void *opaque, uint64_t arg)
{
    (void)arg;
    Pre2 *g = opaque;
    g->girq++;
}

static void test_preempt2(void)
{
    Pre2 g;
    memset(&g, 0, sizeof g);
    Pre *p = &g.p;
    p->q = evq_new();
    cpu_init(&p->cpu, p->q, pre_dispatch, p, 3 * SIM_US, 1 * SIM_US);
    cpu_set_preempt(&p->cpu, pre_hook, p);
    cpu_set_preempt2(&p->cpu, g_hook, &g);
    p->phase = 1;
    cpu_kick(&p->cpu);
    /* the routine's 50 us charge runs 4..54 us: a "guest IRQ" at 10 us is taken at
     * once by the second hook (5 us); a host IRQ at 12 us preempts that (10 us of
     * switches and handler); a second guest IRQ at 13 us waits for the second
     * hook's own loop: 10 + 5 + 10 = 25 us */
    evq_at(p->q, 10 * SIM_US, g_irq, &g, 0);
    evq_at(p->q, 12 * SIM_US, pre_irq, p, 0);
    evq_at(p->q, 13 * SIM_US, g_irq, &g, 0);
    evq_run(p->q, SIM_TIME_MAX, NULL);
    CHECK_EQ_U(g.g_taken, 2);
    CHECK_EQ_U(g.g_taken_at[0], 10 * SIM_US);
    CHECK_EQ_U(g.g_taken_at[1], 25 * SIM_US);
    CHECK_EQ_U(p->taken, 1);
    CHECK_EQ_U(p->taken_at[0], 12 * SIM_US);
    CHECK(p->taken_in[0] == CPU_WORLD_VMM);
    CHECK_EQ_U(g.g_reentered, 0);
    CHECK_EQ_U(g.g_inside_first, 0);
    CHECK_EQ_U(p->nested_hook, 0);
    CHECK_EQ_U(p->cpu.t, 4 * SIM_US + 50 * SIM_US + 10 * SIM_US + 10 * SIM_US);
    CHECK_EQ_U(p->cpu.cat_time[CAT_VIRQ], 10 * SIM_US);
    SimTime end = cpu_close(&p->cpu, 100 * SIM_US);
    CHECK_EQ_U(sum(&p->cpu) + p->cpu.idle_time, end - p->cpu.acct_start);
    evq_free(p->q);
}

int main(void)
{
    Fake f = {0};
    f.q = evq_new();
    cpu_init(&f.cpu, f.q, fake_dispatch, &f, 3 * SIM_US, 1 * SIM_US);
    f.cpu.on_switch = on_switch;
    f.cpu.on_switch_opaque = &f;
    f.work = 3;
    cpu_kick(&f.cpu);
    /* an interrupt at 5 us arrives inside the first 10 us routine: taken after it */
    evq_at(f.q, 5 * SIM_US, raise_irq, &f, 0);
    /* another while the CPU is idle, at 100 us */
    evq_at(f.q, 100 * SIM_US, raise_irq, &f, 0);
    evq_run(f.q, SIM_TIME_MAX, NULL);
    /* first routine: switch to VMM (3 + 1 us) then 10 us: the IRQ raised at 5 us
     * is taken when it ends, at 14 us; the one raised while idle at once */
    CHECK_EQ_U(f.irqs_taken, 2);
    CHECK_EQ_U(f.irq_taken_at[0], 14 * SIM_US);
    CHECK_EQ_U(f.irq_taken_at[1], 100 * SIM_US);
    CHECK_EQ_U(f.cpu.world_switches, 4); /* host->vmm, vmm->host, host->vmm, vmm->host */
    CHECK_EQ_U(f.switches_seen, 4);
    SimTime end = cpu_close(&f.cpu, 200 * SIM_US);
    CHECK_EQ_U(end, 200 * SIM_US);
    CHECK_EQ_U(sum(&f.cpu) + f.cpu.idle_time, end - f.cpu.acct_start);
    CHECK_EQ_U(f.cpu.cat_time[CAT_GUEST_UNVIRT], 3 * 10 * SIM_US + 4 * SIM_US); /* + penalties */
    CHECK_EQ_U(f.cpu.cat_count[CAT_GUEST_UNVIRT], 3);  /* penalties are not events */
    CHECK_EQ_U(f.cpu.cat_count[CAT_HOST_IRQ], 2);
    CHECK_EQ_U(f.cpu.cat_time[CAT_HOST_IRQ], 2 * 2 * SIM_US + 2 * 3 * SIM_US);
    /* busy: 3 routines + 2 irqs + switches = 30 + 4 + 4 + 12 = 50 us; idle = 150 us */
    CHECK_EQ_U(f.cpu.idle_time, 150 * SIM_US);
    /* reset mid-way: accounting restarts exactly */
    cpu_reset_accounting(&f.cpu, 250 * SIM_US);
    CHECK_EQ_U(sum(&f.cpu), 0);
    f.work = 1;
    evq_at(f.q, 260 * SIM_US, raise_irq, &f, 0);
    evq_run(f.q, SIM_TIME_MAX, NULL);
    end = cpu_close(&f.cpu, 400 * SIM_US);
    CHECK_EQ_U(sum(&f.cpu) + f.cpu.idle_time, end - f.cpu.acct_start);
    CHECK_EQ_U(f.cpu.acct_start, 250 * SIM_US);
    evq_free(f.q);
    test_preempt();
    test_preempt2();
    return check_report("test_model_cpu");
}
