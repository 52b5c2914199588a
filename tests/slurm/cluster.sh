#!/usr/bin/env bash
# cluster.sh — a one-node Slurm cluster for the test suite, without systemd.
#
#   tests/slurm/cluster.sh start DIR [accounting|no-accounting]
#   eval "$(tests/slurm/cluster.sh env DIR)"     # SLURM_CONF for sbatch & co.
#   tests/slurm/cluster.sh stop DIR
#
# Everything (configs, state, logs, sockets, the database) lives under DIR;
# the daemons run as the invoking user on loopback ports (TS_SLURM_PORT, and
# the three above it). TS_SLURM_MAX_ARRAY sets MaxArraySize (default 1001).
set -euo pipefail

cmd=${1:?usage: cluster.sh start|stop|env DIR [accounting|no-accounting]}
dir=$(realpath -m "${2:?a directory}")
mode=${3:-accounting}
user=$(id -un)
ctld_port=${TS_SLURM_PORT:-16817}

say() { printf '[cluster] %s\n' "$*" >&2; }

wait_for() { # seconds description command...
  local n=$(( $1 * 10 )) what=$2; shift 2
  while ! "$@" >/dev/null 2>&1; do
    n=$((n - 1)); [ $n -le 0 ] && { say "timed out waiting for $what"; return 1; }
    sleep 0.1
  done
}

write_configs() {
  mkdir -p "$dir"/{etc,state,spool,log,run,munge,db}
  chmod 700 "$dir/munge"
  [ -f "$dir/munge/munge.key" ] || dd if=/dev/urandom of="$dir/munge/munge.key" bs=1 count=1024 status=none
  chmod 600 "$dir/munge/munge.key"
  local node; node=$(slurmd -C | head -n 1 | sed "s/^NodeName=[^ ]*/NodeName=localhost/")
  local acct="AccountingStorageType=accounting_storage/none"
  if [ "$mode" = accounting ]; then
    acct="AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=$((ctld_port + 2))
AccountingStoragePass=$dir/run/munge.socket"
  fi
  cat > "$dir/etc/slurm.conf" <<CONF
ClusterName=trainscope-test
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$((ctld_port + 1))
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$dir/run/munge.socket
CryptoType=crypto/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerParameters=batch_sched_delay=0
MailProg=/bin/true
ReturnToService=2
MaxArraySize=${TS_SLURM_MAX_ARRAY:-1001}
JobAcctGatherType=jobacct_gather/none
$acct
$node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  cat > "$dir/etc/slurmdbd.conf" <<CONF
AuthType=auth/munge
AuthInfo=socket=$dir/run/munge.socket
DbdHost=localhost
DbdPort=$((ctld_port + 2))
SlurmUser=$user
PidFile=$dir/run/slurmdbd.pid
LogFile=$dir/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$((ctld_port + 3))
StorageUser=$user
StorageLoc=slurm_acct_db
CONF
  chmod 600 "$dir/etc/slurmdbd.conf"
}

# the daemons never hold the caller's stdout/stderr: a caller piping this
# script would otherwise wait for them forever
start_munge() {
  munged --force --key-file="$dir/munge/munge.key" --socket="$dir/run/munge.socket" \
    --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed" </dev/null >>"$dir/log/daemons.out" 2>&1
}

start_database() {
  if [ ! -d "$dir/db/mysql" ]; then
    mariadb-install-db --no-defaults --datadir="$dir/db" --user="$user" \
      --auth-root-authentication-method=socket >"$dir/log/mariadb-install.log" 2>&1
  fi
  mariadbd --no-defaults --datadir="$dir/db" --user="$user" --bind-address=127.0.0.1 \
    --port=$((ctld_port + 3)) --socket="$dir/run/mysqld.sock" --pid-file="$dir/run/mysqld.pid" \
    --log-error="$dir/log/mariadb.log" --skip-name-resolve </dev/null >/dev/null 2>&1 &
  wait_for 30 "mariadb" mariadb --no-defaults --socket="$dir/run/mysqld.sock" -u root -e "select 1"
  mariadb --no-defaults --socket="$dir/run/mysqld.sock" -u root -e \
    "CREATE USER IF NOT EXISTS '$user'@'127.0.0.1'; CREATE USER IF NOT EXISTS '$user'@'localhost';
     GRANT ALL ON slurm_acct_db.* TO '$user'@'127.0.0.1'; GRANT ALL ON slurm_acct_db.* TO '$user'@'localhost';"
}

case "$cmd" in
  env) echo "export SLURM_CONF=$dir/etc/slurm.conf" ;;
  start)
    t0=$(date +%s.%N)
    write_configs
    export SLURM_CONF="$dir/etc/slurm.conf"
    start_munge
    if [ "$mode" = accounting ]; then
      start_database
      slurmdbd </dev/null >>"$dir/log/daemons.out" 2>&1
      wait_for 30 "slurmdbd" sacctmgr -n list cluster
    fi
    slurmctld -c </dev/null >>"$dir/log/daemons.out" 2>&1
    slurmd -N localhost </dev/null >>"$dir/log/daemons.out" 2>&1
    wait_for 30 "an idle node" sh -c "sinfo -h -o %t | grep -qx idle"
    say "up in $(echo "$(date +%s.%N) - $t0" | bc) s ($mode)"
    ;;
  stop)
    export SLURM_CONF="$dir/etc/slurm.conf"
    # slurmctld may outlive a plain SIGTERM for a while (it saves state):
    # wait for each daemon to exit, then SIGKILL what is still there
    pids=()
    for d in slurmd slurmctld slurmdbd mysqld munged; do
      [ -f "$dir/run/$d.pid" ] || continue
      pid=$(cat "$dir/run/$d.pid")
      kill "$pid" 2>/dev/null && pids+=("$pid")
    done
    for pid in "${pids[@]}"; do
      n=100
      while kill -0 "$pid" 2>/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
      kill -0 "$pid" 2>/dev/null && { say "pid $pid still running after 10 s: SIGKILL"; kill -9 "$pid" 2>/dev/null || true; }
    done
    rm -f "$dir"/run/*.pid
    ;;
  *) echo "usage: cluster.sh start|stop|env DIR" >&2; exit 2 ;;
esac
