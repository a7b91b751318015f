# A real single-node Slurm for tests, from Debian's packages (slurm-wlm,
# munge): munged, slurmctld and slurmd in the foreground, no systemd,
# everything (keys, sockets, state, logs, slurm.conf) under one temporary
# folder, stopped by PID. Source it, then:
#
#   slurm_start DIR   start the daemons with their files in DIR (created);
#                     returns 1 with SLURM_SKIP_REASON set when it cannot
#   slurm_stop        stop them (also run by the caller's EXIT trap)
#
# After slurm_start, SLURM_CONF points at the generated slurm.conf, so that
# sbatch, squeue, sacct-less scontrol and srun talk to this cluster. The
# cluster sets MpiDefault=none, so scripts that work here ask for PMIx
# themselves (or take the site's default where one is set).
#
# Needs root (slurmd runs jobs as their user) and free TCP ports.

SLURM_DAEMON_PIDS=()

_slurm_free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_slurm_wait() {  # _slurm_wait SECONDS CMD...: polls CMD every 0.1 s
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

slurm_start() {
  local dir=$1
  SLURM_SKIP_REASON=""
  for exe in munged slurmctld slurmd sbatch scontrol; do
    if ! command -v "$exe" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$exe" ]; then
      SLURM_SKIP_REASON="$exe not installed (Debian packages slurm-wlm and munge; scripts/install-deps.sh installs them)"
      return 1
    fi
  done
  if [ "$(id -u)" -ne 0 ]; then
    SLURM_SKIP_REASON="a test Slurm needs root (slurmd starts jobs as their user)"
    return 1
  fi
  mkdir -p "$dir"/{state,spool,munge,jobs}
  chmod 700 "$dir/munge"
  # munged: a fresh key, its own socket, as root (--force: no munge user needed).
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge/munge.key"
  /usr/sbin/munged -F --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/seed" \
    >"$dir/munge/stdout.log" 2>&1 &
  SLURM_DAEMON_PIDS+=($!)
  if ! _slurm_wait 20 test -S "$dir/munge/munge.socket"; then
    SLURM_SKIP_REASON="munged did not start: $(tail -n 3 "$dir/munge/stdout.log" "$dir/munge/munged.log" 2>/dev/null | tr '\n' ' ')"
    slurm_stop
    return 1
  fi

  local host node ctld_port slurmd_port
  host=$(hostname -s)
  node=$(/usr/sbin/slurmd -C | head -n 1)
  node="${node%% UpTime*}"
  # slurmd -C reports the machine; the node is named after this host.
  ctld_port=$(_slurm_free_port)
  slurmd_port=$(_slurm_free_port)
  cat > "$dir/slurm.conf" <<CONF
ClusterName=tsweeptest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket,cred_expire=10
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
SchedulerType=sched/builtin
ReturnToService=2
JobRequeue=1
KillWait=5
MinJobAge=600
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
MessageTimeout=20
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
PlugStackConfig=$dir/plugstack.conf
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
  : > "$dir/plugstack.conf"
  sed -i "s/^NodeName=[^ ]*/NodeName=$host/" "$dir/slurm.conf"
  export SLURM_CONF="$dir/slurm.conf"
  /usr/sbin/slurmctld -D -i -f "$SLURM_CONF" >"$dir/slurmctld.stdout" 2>&1 &
  SLURM_DAEMON_PIDS+=($!)
  /usr/sbin/slurmd -D -f "$SLURM_CONF" -N "$host" >"$dir/slurmd.stdout" 2>&1 &
  SLURM_DAEMON_PIDS+=($!)
  if ! _slurm_wait 60 sh -c "sinfo -h -N -o %t 2>/dev/null | grep -Eq '^(idle|mix|alloc)'"; then
    SLURM_SKIP_REASON="Slurm did not come up within 60 s: $(tail -n 3 "$dir/slurmctld.log" "$dir/slurmd.log" "$dir/slurmctld.stdout" "$dir/slurmd.stdout" 2>/dev/null | tr '\n' ' ')"
    slurm_stop
    return 1
  fi
  SLURM_TEST_DIR=$dir
  return 0
}

slurm_stop() {
  local pid
  # Jobs first, so that no job step outlives the daemons.
  if [ -n "${SLURM_CONF:-}" ] && command -v scancel >/dev/null 2>&1; then
    timeout 10 scancel --user=root >/dev/null 2>&1 || true
  fi
  for pid in "${SLURM_DAEMON_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SLURM_DAEMON_PIDS[@]}"; do
    _slurm_wait 10 sh -c "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  SLURM_DAEMON_PIDS=()
}

# slurm_job_state JOBID: the job's state (PENDING, RUNNING, COMPLETED, ...), from slurmctld's memory.
slurm_job_state() {
  scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -n 1 | cut -d= -f2
}

# slurm_job_field JOBID FIELD: one field of `scontrol show job`.
slurm_job_field() {
  scontrol show job "$1" 2>/dev/null | tr ' ' '\n' | grep "^$2=" | head -n 1 | cut -d= -f2-
}

# slurm_job_ended JOBID: the job is in a final state.
slurm_job_ended() {
  case "$(slurm_job_state "$1")" in
    COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED) return 0 ;;
    *) return 1 ;;
  esac
}

# slurm_finish_job JOBID SECONDS: waits for the job to end, through its
# requeues; sets STATE and EXIT (Slurm's ExitCode, "CODE:SIGNAL"). Past
# SECONDS it cancels the job and calls `fail` (tests/e2e/lib.sh).
slurm_finish_job() {
  local deadline=$((SECONDS + $2))
  while ! slurm_job_ended "$1"; do
    if [ $SECONDS -ge $deadline ]; then
      fail "job $1 still $(slurm_job_state "$1") after $2 s"
      scancel "$1" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  STATE=$(slurm_job_state "$1")
  EXIT=$(slurm_job_field "$1" ExitCode)
}
