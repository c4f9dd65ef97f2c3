#!/usr/bin/env bash
# THE test command: installs dependencies, builds the ASan+UBSan test build, starts throwaway Postgres and Redis,
# runs every CTest test against them under the sanitizers, then the benchmark smoke (loadtest/smoke.sh), the OpenAPI
# contract test (tests/contract/), the web inbox's browser test (tests/browser/), the short fault suite (loadtest/faults.sh --short) and the fuzz smoke
# (scripts/fuzz.sh, 30 s per target).
# One sanitized build instead of a plain one plus a sanitized one: every test still runs, every warning is still an
# error, and CI fits in its 20 minutes on 2 cores (the plain debug build alone took 12 of them).
#   scripts/test.sh [--no-asan] [--filter REGEX]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

usage() {
    cat <<'EOF'
usage: scripts/test.sh [--no-asan] [--filter REGEX]
  --no-asan       use the plain debug build instead of the sanitizer build (quicker local runs)
  --filter REGEX  run only the tests whose name matches (ctest -R)
EOF
}

asan=1
filter=()
while [[ $# -gt 0 ]]; do
    case $1 in
    --no-asan) asan=0 ;;
    --filter)
        [[ $# -ge 2 ]] || {
            usage >&2
            exit 2
        }
        filter=(-R "$2")
        shift
        ;;
    --filter=*) filter=(-R "${1#--filter=}") ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
    shift
done

# Phase timings, printed at the end whatever happens (also after a failure).
phases=()
t_all=$(date +%s)
phase_name=""
phase_start() {
    phase_name=$1
    phase_t0=$(date +%s)
    echo "==> $phase_name"
}
phase_end() {
    local secs=$(($(date +%s) - phase_t0))
    phases+=("$(printf '%-14s %5ss  %s' "$phase_name" "$secs" "$1")")
    echo "==> $phase_name: $1 in ${secs}s"
    phase_name=""
}

# Each checked phase's output is also kept in build/<kind>/test-logs/<phase>.log; for a failed phase, the lines that
# say why are printed again at the very end, next to the summary, where a truncated CI log still shows them.
log_dir=""
failed=()
run_phase() {
    local name=$1
    shift
    local log=$log_dir/$name.log
    phase_start "$name"
    if "$@" 2>&1 | tee "$log"; then
        phase_end passed
    else
        phase_end FAILED
        failed+=("$name")
    fi
}
print_failure_excerpts() {
    local name log
    for name in "${failed[@]}"; do
        log=$log_dir/$name.log
        [[ -f $log ]] || continue
        echo "---- why $name failed (from $log) ----"
        grep -E -i -A6 'fail|mismatch|error:|\[ +FAILED|Timeout|Assertion|runtime error|SUMMARY:' "$log" |
            grep -v -E '^ +ok ' | tail -n 60 || true
    done
}

# shellcheck source-path=SCRIPTDIR source=lib/services.sh
source "$ROOT/scripts/lib/services.sh"

on_exit() {
    local rc=$?
    # A phase still open here was aborted by set -e (deps, build or service start failed).
    [[ -n $phase_name ]] && phase_end FAILED
    svc_stop_all
    print_failure_excerpts
    if ((${#phases[@]} > 0)); then
        echo "---- test.sh summary ----"
        printf '%s\n' "${phases[@]}"
        echo "total          $(($(date +%s) - t_all))s  exit $rc"
    fi
}
trap on_exit EXIT
# A signal must still run the EXIT trap, so turn it into a normal exit.
trap 'exit 130' INT
trap 'exit 143' TERM

phase_start deps
bash "$ROOT/scripts/deps.sh"
phase_end ok

kind=debug
((asan)) && kind=asan
phase_start "build-$kind"
bash "$ROOT/scripts/build.sh" "$kind"
phase_end ok

phase_start services
svc_pg_start --fast
svc_pg_replica_start
svc_redis_start
phase_end ok

export TEST_DATABASE_URL=$PG_URL
export TEST_REDIS_URL=$REDIS_URL
export TEST_PG_RESTART_CMD=$PG_RESTART_CMD
export TEST_REPLICA_URL=$REPLICA_URL
if [[ -d $ROOT/../shared/fixtures ]]; then
    INBOX_FIXTURES_DIR=$(cd "$ROOT/../shared/fixtures" && pwd)
    export INBOX_FIXTURES_DIR
fi
echo "TEST_DATABASE_URL=$TEST_DATABASE_URL"
echo "TEST_REDIS_URL=$TEST_REDIS_URL"
echo "TEST_PG_RESTART_CMD=$TEST_PG_RESTART_CMD"
echo "TEST_REPLICA_URL=$TEST_REPLICA_URL"
echo "INBOX_FIXTURES_DIR=${INBOX_FIXTURES_DIR:-<none>}"

# --no-tests=error: a build that registers no tests is a broken build, not a green one.
ctest_args=(--output-on-failure -j2 --timeout 300 --no-tests=error "${filter[@]}")

log_dir=$ROOT/build/$kind/test-logs
rm -rf "$log_dir" && mkdir -p "$log_dir"

# libpqxx 6.4 leaks a PGresult when a statement meets a broken connection (upstream jtv/libpqxx#500):
# suppressed by name, so every leak of our own still fails the run.
lsan_suppressions=suppressions=$ROOT/tests/lsan_libpqxx.supp
run_phase "ctest-$kind" env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 LSAN_OPTIONS="$lsan_suppressions" \
    ctest --test-dir "$ROOT/build/$kind" "${ctest_args[@]}"

if ((${#filter[@]} > 0)); then
    echo "==> smoke, contract, browser, faults and fuzz skipped (--filter given)"
else
    # The benchmark smoke: owned by loadtest/, run with the same services and env.
    if [[ -x $ROOT/loadtest/smoke.sh ]]; then
        run_phase smoke env INBOX_BUILD_DIR="$ROOT/build/$kind" LSAN_OPTIONS="$lsan_suppressions" \
            "$ROOT/loadtest/smoke.sh"
    fi

    # Debian's python3 (with python3-jsonschema, python3-yaml, python3-selenium from scripts/deps.sh), even when
    # another python3 comes first on PATH.
    PYTHON=python3
    [[ -x /usr/bin/python3 ]] && PYTHON=/usr/bin/python3
    export PYTHON

    # The OpenAPI contract (docs/openapi.yaml): real answers of this build checked against the document.
    run_phase contract env PG_URL="$PG_URL" REDIS_URL="$REDIS_URL" \
        bash "$ROOT/tests/contract/run.sh" --build-dir "$ROOT/build/$kind"

    # The web inbox in headless Chromium against this build (tests/browser/; screenshots in build/<kind>/browser).
    run_phase browser env PG_URL="$PG_URL" REDIS_URL="$REDIS_URL" \
        bash "$ROOT/tests/browser/run.sh" --build-dir "$ROOT/build/$kind" --out "$ROOT/build/$kind/browser"

    # The short fault suite (docs/RELIABILITY.md): real processes of this build under load, one fault each.
    run_phase faults env LSAN_OPTIONS="$lsan_suppressions" \
        bash "$ROOT/loadtest/faults.sh" --short --build-dir "$ROOT/build/$kind"

    # The fuzz smoke: every libFuzzer target for 30 s (its own clang build in build/fuzz).
    run_phase fuzz bash "$ROOT/scripts/fuzz.sh" --seconds 30 --jobs 2
fi

if ((${#failed[@]} > 0)); then
    echo "test.sh: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "test.sh: all passed"
