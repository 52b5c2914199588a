#!/usr/bin/env bash
# The Slurm backend against a real one-node cluster (tests/slurm/cluster.sh):
#   TS_SLURM_DIR_ACCOUNTING=DIR test-slurm.sh accounting
#   TS_SLURM_DIR_NO_ACCOUNTING=DIR test-slurm.sh no-accounting   # MaxArraySize=4
# TS_CLI is the trainscope-cli under test. Exits 77 (skipped) when the
# cluster directory is not given or the cluster does not answer.
set -uo pipefail

mode=${1:?accounting or no-accounting}
if [ "$mode" = accounting ]; then cluster=${TS_SLURM_DIR_ACCOUNTING:-}; else cluster=${TS_SLURM_DIR_NO_ACCOUNTING:-}; fi
cli=${TS_CLI:?TS_CLI must name trainscope-cli}
if [ -z "$cluster" ] || [ ! -f "$cluster/etc/slurm.conf" ]; then
  echo "# SKIP: no test cluster (start one with tests/slurm/cluster.sh, or run ./dev.sh test)"; exit 77
fi
export SLURM_CONF=$cluster/etc/slurm.conf
if ! sinfo -h >/dev/null 2>&1; then
  echo "# SKIP: the cluster in $cluster does not answer"; exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $* (${SECONDS} s)"; }
not_ok() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

echo '{"train.lr": {"log_uniform": [0.01, 0.3]}, "model.activation": {"choice": ["relu", "tanh"]}}' > space.json
search=("$cli" search default --space space.json --trials 3 --folds 2)

# results.csv without seconds (column 6 with two keys): the only thing that may differ
table() { cut -d, -f1-6,8- "$1/results.csv"; }
all_done() { [ "$(table "$1" | tail -n +2 | grep -c ',done,$')" = "$2" ]; }

# ---- the sacct or the scontrol path: which one this cluster gives ----------------
if [ "$mode" = accounting ]; then
  check "sacct answers (accounting on)" sacct --parsable2 --noheader -X -S now-1hour
else
  check "sacct says accounting is disabled" sh -c 'sacct --parsable2 2>&1 | grep -q "accounting storage is disabled"'
fi

# ---- identical to the local backend ------------------------------------------------
"${search[@]}" --epochs 3 --out local >local.txt 2>&1
"${search[@]}" --epochs 3 --out slurm --backend slurm --max-parallel 2 >slurm.txt 2>slurm.err
rc=$?
check "search --backend slurm exits 0" [ $rc = 0 ]
check "6 tasks done on slurm" all_done slurm 6
check "results.csv identical to local (val_acc, val_loss, state)" diff <(table local) <(table slurm)
check "search.json identical to local" cmp local/search.json slurm/search.json
check "the batch script and the job ids are in the folder" test -x slurm/slurm/task.sh -a -f slurm/slurm/state.json
if [ "$mode" = accounting ]; then
  check "the states came from sacct" grep -q '^slurm: element states from sacct$' slurm.err
else
  check "the states came from scontrol, never sacct" \
    sh -c 'grep -q "^slurm: element states from scontrol show job$" slurm.err && ! grep -q "from sacct" slurm.err'
  # this cluster's MaxArraySize is 4: 6 tasks are two arrays
  check "6 tasks split into arrays under MaxArraySize" [ "$(grep -c ': array ' slurm.err)" = 2 ]
fi

# ---- a task killed with scancel is retried --------------------------------------------
"${search[@]}" --epochs 100 --out cancel --backend slurm --max-parallel 2 --retries 2 >cancel.txt 2>cancel.err &
pid=$!
for _ in $(seq 300); do grep -q '^slurm: job ' cancel.err 2>/dev/null && break; sleep 0.1; done
job=$(sed -n 's/^slurm: job \([0-9]*\):.*/\1/p' cancel.err | head -n 1)
for _ in $(seq 300); do squeue -h -j "${job}_1" -t RUNNING 2>/dev/null | grep -q . && break; sleep 0.1; done
scancel "${job}_1"
wait $pid
rc=$?
check "the search with a cancelled task exits 0" [ $rc = 0 ]
check "the cancelled element was seen as CANCELLED" grep -q "^slurm: ${job}_1 CANCELLED" cancel.err
check "the cancelled task was resubmitted by index" grep -Eq ': array 1(%2)? ' cancel.err
check "all 6 tasks done after the retry" all_done cancel 6

# ---- the submitter killed, then --resume -------------------------------------------
"${search[@]}" --epochs 100 --out resume --backend slurm --max-parallel 1 >resume1.txt 2>resume1.err &
pid=$!
for _ in $(seq 600); do [ "$(ls resume/trials/*/fold-*/summary.json 2>/dev/null | wc -l)" -ge 2 ] && break; sleep 0.1; done
kill -9 $pid; wait $pid 2>/dev/null
finished=$(for f in resume/trials/*/fold-*/summary.json; do grep -q '"state" *: *"done"' "$f" && echo "$f"; done)
stat -c '%n %Y.%y' $finished > before.txt
"${search[@]}" --epochs 100 --out resume --backend slurm --max-parallel 1 --resume >resume2.txt 2>resume2.err
rc=$?
check "--resume after the submitter died exits 0 ($(echo $finished | wc -w) tasks were done)" [ $rc = 0 ]
check "all 6 tasks done after --resume" all_done resume 6
check "no finished task was trained again" diff before.txt <(stat -c '%n %Y.%y' $finished)
check "--resume picked up the recorded job instead of resubmitting all" sh -c '! grep -q ": array 0,1,2,3,4,5" resume2.err'

# ---- a task that fails every time ---------------------------------------------------
mkdir -p failing/trials/1 && touch failing/trials/1/fold-0 # its run folder cannot be made
"${search[@]}" --epochs 2 --out failing --backend slurm --retries 1 >failing.txt 2>failing.err
rc=$?
check "a task failing every time: exit 1" [ $rc = 1 ]
check "it ends as failed in results.csv with its log's last lines" \
  grep -q '^1,0,.*,failed,.*cannot create the folder: Not a directory' failing/results.csv
# both tries told as element 2 (trial 1 fold 0), the retry's one-element
# array too, which sacct may list by its bare job id
if [ "$(grep -c '^slurm: [0-9]*_2 FAILED' failing.err)" = 2 ]; then ok "it was tried 1 + 1 times, element 2 each"
else not_ok "it was tried 1 + 1 times, element 2 each"; sed 's/^/# /' failing.err; fi # what the submitter said
check "the other tasks are done" all_done failing 5
check "its trial is failed in search.json" python3 -c '
import json, sys; t = json.load(open("failing/search.json"))["trials"]
sys.exit(0 if t[1]["state"] == "failed" and t[0]["state"] == "done" else 1)'

# ---- run --seeds on slurm matches local --------------------------------------------
"$cli" run default --seeds 3 --epochs 3 --out seeds-local >/dev/null 2>&1
"$cli" run default --seeds 3 --epochs 3 --out seeds-slurm --backend slurm >seeds.txt 2>seeds.err
check "run --seeds --backend slurm exits 0" [ $? = 0 ]
check "group.json's metrics (all but seconds) and seed count match local" python3 -c '
import json, sys
ga, gb = (json.load(open(d + "/group.json")) for d in ("seeds-local", "seeds-slurm"))
a, b = ga["metrics"], gb["metrics"]
sys.exit(0 if all(a[k] == b[k] for k in a if k != "seconds") and a.keys() == b.keys()
         and ga["seeds"] == gb["seeds"] == 3 else 1)'

# ---- bad input: exit 2 with the reason -----------------------------------------------
expect_2() { # what, expected message, command...
  local what=$1 msg=$2; shift 2
  "$@" >bad.out 2>bad.err
  local rc=$?
  if [ $rc = 2 ] && grep -q -- "$msg" bad.err; then ok "$what"; else not_ok "$what (rc $rc: $(cat bad.err))"; fi
}
expect_2 "no sbatch on PATH" "no sbatch on PATH" env PATH=/nonexistent "${search[@]}" --out b1 --backend slurm
expect_2 "an unknown partition, sbatch's message shown" "invalid partition" \
  "${search[@]}" --epochs 2 --out b2 --backend slurm --partition nosuch
expect_2 "a refused submission (a time over the partition's limit is refused here by a bad format)" "sbatch refused" \
  "${search[@]}" --epochs 2 --out b3 --backend slurm --time notatime
touch file
expect_2 "an output folder that cannot be written" "cannot be written" "${search[@]}" --out file/sub --backend slurm
expect_2 "an unknown backend" "expected local or slurm" "${search[@]}" --out b4 --backend pbs
expect_2 "Slurm flags without --backend slurm" "need --backend slurm" "${search[@]}" --out b5 --partition debug

echo "1..$n"
[ $failures = 0 ]
