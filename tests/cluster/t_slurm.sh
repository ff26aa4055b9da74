#!/bin/bash
# make test-cluster: bring up a throwaway single-node Slurm cluster on this machine
# (munged, slurmctld, slurmd from Debian's slurm-wlm and munge, installed here when
# missing; root), run tests/fixtures/sweep/small.json as a job array with the shipped
# analysis/slurm/sweep.sbatch, merge, and check that sweep.csv and summary.csv are
# byte-identical to the built-in runner's. The daemons started here are stopped on exit
# (by their pid files), whatever happens.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
VNICSIM=$(cd "$(dirname "$VNICSIM")" && pwd)/$(basename "$VNICSIM")
export VNICSIM
REPO=$(pwd)
SPEC=$REPO/tests/fixtures/sweep/small.json
P=$T/slurm

DAEMONS=""   # pids of munged, slurmctld, slurmd once up
read_pids() {
    for f in "$P/run/slurmd.pid" "$P/run/slurmctld.pid" "$P/munge/run/munged.pid"; do
        [ -s "$f" ] && DAEMONS="$DAEMONS $(cat "$f")"
    done
}
stop_daemons() {   # SIGTERM to the daemons started here, then wait for them
    [ -n "${SLURM_CONF:-}" ] && [ -n "${JOB:-}" ] && scancel "$JOB" 2>/dev/null
    [ -z "$DAEMONS" ] && read_pids
    for pid in $DAEMONS; do kill "$pid" 2>/dev/null; done
    for i in $(seq 100); do
        alive=""
        for pid in $DAEMONS; do kill -0 "$pid" 2>/dev/null && alive="$alive $pid"; done
        [ -z "$alive" ] && return 0
        sleep 0.1
    done
    echo "t_slurm: still running after 10 s:$alive"
}
trap 'stop_daemons; rm -rf "$T"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$(id -u)" != 0 ]; then
    echo "not ok test-cluster needs root (it installs and starts munge and Slurm daemons)"
    t_failed=1; t_done t_slurm; exit 1
fi
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    echo "t_slurm: installing slurm-wlm munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null ||
        { echo "not ok apt-get install slurm-wlm munge failed"; t_failed=1; t_done t_slurm; exit 1; }
fi

# ---- the cluster
chmod 711 "$T"
mkdir -p "$P/etc" "$P/log" "$P/state" "$P/spool" "$P/run" "$P/munge/run"
chmod 711 "$P" "$P/munge"; chmod 755 "$P/munge/run"
MS=$P/munge/run/munge.socket.2
up() {
    mungekey -c -k "$P/munge/munge.key" >/dev/null &&
    munged --key-file="$P/munge/munge.key" --socket="$MS" --pid-file="$P/munge/run/munged.pid" \
           --seed-file="$P/munge/munged.seed" --log-file="$P/log/munged.log" &&
    munge -S "$MS" -n | unmunge -S "$MS" >/dev/null || return 1
    # ports away from the defaults, so that a real Slurm on the machine is not disturbed
    port=$((20000 + $$ % 20000))
    cat > "$P/etc/slurm.conf" <<CONF
ClusterName=vnicsimtest
SlurmctldHost=$(hostname -s)
AuthType=auth/munge
AuthInfo=socket=$MS
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
StateSaveLocation=$P/state
SlurmdSpoolDir=$P/spool
SlurmctldPidFile=$P/run/slurmctld.pid
SlurmdPidFile=$P/run/slurmd.pid
SlurmctldLogFile=$P/log/slurmctld.log
SlurmdLogFile=$P/log/slurmd.log
PlugStackConfig=$P/etc/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/builtin
SchedulerParameters=sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MailProg=/bin/true
MinJobAge=300
# six task slots on this machine (config_overrides), so that array tasks run 6 at a time
SlurmdParameters=config_overrides
NodeName=$(hostname -s) CPUs=6 Boards=1 SocketsPerBoard=1 CoresPerSocket=6 ThreadsPerCore=1 RealMemory=$(slurmd -C | head -1 | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p') State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
    : > "$P/etc/plugstack.conf"
    export SLURM_CONF=$P/etc/slurm.conf
    slurmctld -i && slurmd || return 1
    for i in $(seq 100); do
        sinfo -h -o %t 2>/dev/null | grep -qx idle && return 0
        sleep 0.2
    done
    echo "node never became idle:"; sinfo; tail -5 "$P/log/slurmctld.log" "$P/log/slurmd.log"; return 1
}
t0=$(date +%s.%N)
t_check "single-node Slurm cluster up (munged, slurmctld, slurmd)" up
t1=$(date +%s.%N)
read_pids
export SLURM_CONF=$P/etc/slurm.conf

# ---- the reference: the built-in runner
t_check "built-in runner" "$VNICSIM" sweep "$SPEC" -o "$T/ref" -j2

# ---- the same sweep as a job array with the shipped batch script
N=$("$VNICSIM" sweep "$SPEC" -o "$T/slurm-sweep" --list-points | wc -l)
t_check "12 points" test "$N" = 12
submit() {
    JOB=$(sbatch --parsable --array=0-$((N - 1))%6 --chdir="$T" --output="$T/slurm-%A_%a.out" \
                 analysis/slurm/sweep.sbatch "$SPEC" "$T/slurm-sweep") || return 1
    JOB=${JOB%%;*}
    echo "job $JOB"
    for i in $(seq 600); do   # up to 2 minutes
        [ -z "$(squeue -h -j "$JOB" 2>/dev/null)" ] && return 0
        sleep 0.2
    done
    echo "job array $JOB did not finish:"; squeue; return 1
}
t2=$(date +%s.%N)
t_check "sbatch --array=0-11%6 analysis/slurm/sweep.sbatch: the array runs to completion" submit
t3=$(date +%s.%N)
echo "t_slurm: cluster up in $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s, job array of $N tasks done in $(awk "BEGIN{printf \"%.1f\", $t3 - $t2}") s"
tasks_ok() {   # every task of the array completed with exit code 0
    out=$(scontrol -o show job "$JOB") || return 1
    [ "$(printf '%s\n' "$out" | grep -c 'JobState=COMPLETED')" = "$N" ] &&
    [ "$(printf '%s\n' "$out" | grep -c 'ExitCode=0:0')" = "$N" ] ||
    { printf '%s\n' "$out" | grep -o 'ArrayTaskId=[0-9]* JobState=[A-Z]*\|ExitCode=[0-9:]*'; return 1; }
}
t_check "every array task COMPLETED with exit code 0" tasks_ok
# T_SLURM_DEBUG=1 prints when each array task ran
[ -n "${T_SLURM_DEBUG:-}" ] && scontrol -o show job "$JOB" | grep -o "ArrayTaskId=[0-9]*\|StartTime=[^ ]*\|EndTime=[^ ]*" | paste - - -
t_check "each task wrote its Slurm log with the point's run summary" \
    sh -c "[ \$(grep -l '^results: ' $T/slurm-${JOB}_*.out | wc -l) = $N ]"
t_check "--merge" "$VNICSIM" sweep "$SPEC" -o "$T/slurm-sweep" --merge
t_check "sweep.csv byte-identical to the built-in runner's" cmp "$T/ref/sweep.csv" "$T/slurm-sweep/sweep.csv"
t_check "summary.csv byte-identical to the built-in runner's" cmp "$T/ref/summary.csv" "$T/slurm-sweep/summary.csv"

t4=$(date +%s.%N)
stop_daemons
echo "t_slurm: daemons stopped in $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t4}") s"
stopped() {
    [ "$(echo $DAEMONS | wc -w)" = 3 ] || { echo "pids of the three daemons: '$DAEMONS'"; return 1; }
    for pid in $DAEMONS; do ! kill -0 "$pid" 2>/dev/null || { echo "still running: $pid"; return 1; }; done
}
t_check "the daemons started here are stopped" stopped
t_done t_slurm
