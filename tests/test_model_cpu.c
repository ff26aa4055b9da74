/* test_model_cpu: the host CPU (model/host/cpu.c) on its own: run-to-completion
 * work, interrupts taken at the end of a routine, world switches and their
 * penalty, idle time, and exact accounting across a reset. */
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
    return check_report("test_model_cpu");
}
