#!/usr/bin/env bash
# dev.sh — set up, build, run and test Trainscope on Debian 12.
#
#   ./dev.sh run     install what is missing, build, open the workbench
#                    (without a display: train the default with trainscope-cli)
#   ./dev.sh test    install what is missing, build, run every test suite
#   ./dev.sh bench   the throughput benchmark beside PyTorch, a plot frame's cost, the window's
#   ./dev.sh sanitize address|thread   the test suites under a sanitizer
#   ./dev.sh fuzz [SECONDS] [NAMES]     the libFuzzer harnesses (default: all, 300 s each)
#   ./dev.sh screenshots                 retake docs/screenshot-*.png from a real window
set -euo pipefail
cd "$(dirname "$0")"

BUILD_PACKAGES=(
  meson ninja-build pkg-config gcc
  libglib2.0-dev libjson-glib-dev libopenblas-dev liblapacke-dev zlib1g-dev
  libgdk-pixbuf-2.0-dev libcsv-dev libgtk-4-dev libadwaita-1-dev
)
DATA_PACKAGES=(dataset-fashion-mnist python3-sklearn) # sklearn: its digits.csv.gz, the fine-tuning tests' "very different" target
TEST_PACKAGES=(python3 xvfb xauth dbus dbus-x11 desktop-file-utils appstream slurm-wlm slurmdbd munge mariadb-server bc)
BENCH_PACKAGES=(python3-torch python3-numpy)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

ensure_packages() {
  local missing
  missing=$(missing_packages "$@")
  [ -z "$missing" ] && return 0
  say "Installing Debian packages: $(echo $missing)"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

build() {
  local dir=${1:-build}; shift || true
  if [ ! -f "$dir/build.ninja" ]; then
    say "Configuring $dir"
    meson setup "$dir" "$@" >/dev/null
  fi
  say "Building $dir"
  meson compile -C "$dir" >/dev/null
}

# "N passed, N failed" over every GTest case (TAP lines) of the last run in
# each build directory given.
summarize() {
  python3 - "$@" <<'PY'
import glob, json, sys
passed = failed = skipped = 0
lines = [l for d in sys.argv[1:] for f in sorted(glob.glob(f"{d}/meson-logs/testlog*.json")) for l in open(f)]
for line in lines:
    t = json.loads(line)
    ok = bad = 0
    for l in t.get("stdout", "").splitlines():
        if l.startswith("ok "):
            if "# SKIP" in l:
                skipped += 1
            else:
                ok += 1
        elif l.startswith("not ok "):
            bad += 1
    if t["result"] not in ("OK", "EXPECTEDFAIL", "SKIP") and bad == 0:
        bad = 1  # crashed or timed out before reporting
    passed += ok
    failed += bad
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
sys.exit(1 if failed else 0)
PY
}

# GTK needs a display and a session bus (its test mode aborts without one)
with_display() {
  GSK_RENDERER=cairo GTK_A11Y=none NO_AT_BRIDGE=1 dbus-run-session -- \
    xvfb-run -a -s "-screen 0 1280x1024x24" "$@"
}

SANITIZER_ENV=(UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
               "TSAN_OPTIONS=halt_on_error=1:suppressions=$PWD/tests/tsan.supp"
               G_SLICE=always-malloc
               "LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:fast_unwind_on_malloc=0")

# The slurm suite against two one-node clusters started here (slurmdbd
# accounting on: the sacct path; off, MaxArraySize 4: the scontrol path and
# split arrays), stopped afterwards whatever happens; skipped with the
# reason when they cannot start.
run_slurm_suite() {
  local dir rc=0
  dir=$(mktemp -d)
  trap "tests/slurm/cluster.sh stop '$dir/acct' || true; tests/slurm/cluster.sh stop '$dir/noacct' || true" EXIT
  say "Starting the one-node Slurm test clusters in $dir"
  if ! TS_SLURM_PORT=16817 tests/slurm/cluster.sh start "$dir/acct" accounting \
     || ! TS_SLURM_PORT=16827 TS_SLURM_MAX_ARRAY=4 tests/slurm/cluster.sh start "$dir/noacct" no-accounting; then
    say "SKIPPED the slurm suite: a test cluster could not start (logs in $dir/*/log)"
    return 0
  fi
  # under a display: the suite holds the window's Search page on Slurm too
  ( export TS_SLURM_DIR_ACCOUNTING="$dir/acct" TS_SLURM_DIR_NO_ACCOUNTING="$dir/noacct"
    with_display meson test -C build --print-errorlogs --suite slurm --logbase testlog-slurm ) || rc=1
  return $rc
}

case "${1:-}" in
  run)
    ensure_packages "${BUILD_PACKAGES[@]}" "${DATA_PACKAGES[@]}"
    build build
    shift
    if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
      GSETTINGS_SCHEMA_DIR="$PWD/build/resources" exec ./build/app/trainscope "$@"
    fi
    say "No display: training the built-in default with trainscope-cli instead"
    mkdir -p runs
    exec ./build/app/trainscope-cli run default --out "runs/default-$(date +%Y%m%d-%H%M%S)" "$@"
    ;;
  test)
    ensure_packages "${BUILD_PACKAGES[@]}" "${DATA_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    build build
    build build-asan -Db_sanitize=address,undefined -Dbuildtype=debugoptimized
    status=0
    rm -f build/meson-logs/testlog-slurm.json # counted by summarize when this run makes it
    say "Running the test suites (the window's under Xvfb)"
    with_display meson test -C build --print-errorlogs --suite core --suite data --suite plot --suite app \
      --suite ui --suite slow || status=1
    say "Running them again under AddressSanitizer and UndefinedBehaviorSanitizer"
    env "${SANITIZER_ENV[@]}" meson test -C build-asan --print-errorlogs --suite core --suite data --suite plot --suite app \
      || status=1
    run_slurm_suite || status=1
    summarize build build-asan || status=1
    exit $status
    ;;
  bench)
    ensure_packages "${BUILD_PACKAGES[@]}" "${DATA_PACKAGES[@]}" "${BENCH_PACKAGES[@]}"
    build build
    ./build/tests/bench/bench-train "${@:2}"
    ./build/tests/bench/bench-probe
    ./build/tests/bench/bench-plot
    ensure_packages "${TEST_PACKAGES[@]}"
    GSETTINGS_SCHEMA_DIR="$PWD/build/resources" GSETTINGS_BACKEND=memory with_display ./build/tests/bench/bench-gui
    ;;
  screenshots)
    ensure_packages "${BUILD_PACKAGES[@]}" "${DATA_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    build build
    say "Taking the README's screenshots into docs/"
    data_home=$(mktemp -d)
    TS_SCREENSHOT_DIR="$PWD/docs" XDG_DATA_HOME="$data_home" GSETTINGS_BACKEND=memory \
      GSETTINGS_SCHEMA_DIR="$PWD/build/resources" with_display ./build/tests/screenshots
    rm -rf "$data_home"
    ;;
  sanitize)
    kind=${2:-address}
    ensure_packages "${BUILD_PACKAGES[@]}" "${DATA_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    case "$kind" in
      address) build build-asan -Db_sanitize=address,undefined -Dbuildtype=debugoptimized ;;
      thread) build build-tsan -Db_sanitize=thread -Dbuildtype=debugoptimized ;;
      *) echo "usage: ./dev.sh sanitize address|thread" >&2; exit 2 ;;
    esac
    dir=build-asan; [ "$kind" = thread ] && dir=build-tsan
    status=0
    env "${SANITIZER_ENV[@]}" meson test -C "$dir" --print-errorlogs --suite core --suite data --suite plot --suite app || status=1
    summarize "$dir" || status=1
    exit $status
    ;;
  fuzz)
    seconds=${2:-300}
    names=${3:-idx cifar csv experiment safetensors layers set summary advice metrics steps}
    status=0
    ensure_packages "${BUILD_PACKAGES[@]}" clang libclang-rt-14-dev
    CC=clang build build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
      -Dbuildtype=debugoptimized
    for name in $names; do
      corpus="build-fuzz/corpus-$name"
      mkdir -p "$corpus"
      say "Fuzzing $name for $seconds s"
      (UBSAN_OPTIONS=halt_on_error=1 "build-fuzz/tests/fuzz/fuzz-$name" -max_total_time="$seconds" \
        -artifact_prefix="build-fuzz/" -print_final_stats=1 "$corpus" "tests/fuzz/seeds/$name" tests/fixtures/bad \
        2>&1 || echo "fuzz-$name FOUND A CRASH (see build-fuzz/crash-*)") | tail -n 12
      ls build-fuzz/crash-* >/dev/null 2>&1 && status=1
    done
    exit $status
    ;;
  *)
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
