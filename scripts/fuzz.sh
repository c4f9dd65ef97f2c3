#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang 14, ASan+UBSan) into build/fuzz and runs each for a while from its seed
# corpus, a few at a time. Prints one summary line per target; exits non-zero if any target crashed, leaked, ran out
# of memory or timed out (its input is then in the out dir, and the line says how to replay it).
#   scripts/fuzz.sh [--seconds N] [--jobs J] [--out DIR] [target ...]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

TARGETS=(webhook_payload webhook_signature jwt query_and_path http_request media_url)
# Longest input per target: a webhook body or a raw connection can be big, the rest are a few fields.
declare -A MAX_LEN=([webhook_payload]=65536 [http_request]=65536)
declare -A DICT=([webhook_payload]=json [jwt]=json [http_request]=http [query_and_path]=http)
DEFAULT_MAX_LEN=4096
FIXTURES=$ROOT/../shared/fixtures/webhooks  # every webhook fixture seeds webhook_payload

usage() {
    cat <<EOF
usage: scripts/fuzz.sh [--seconds N] [--jobs J] [--out DIR] [target ...]
  --seconds N  run each target for N seconds (default 30)
  --jobs J     run J targets at a time (default 2)
  --out DIR    working corpora, logs and crash inputs (default build/fuzz/out; each run starts it afresh)
  targets:     ${TARGETS[*]} (default: all)
EOF
}

seconds=30
jobs=2
out=$ROOT/build/fuzz/out
selected=()
while [[ $# -gt 0 ]]; do
    case $1 in
    --seconds | --jobs | --out)
        [[ $# -ge 2 ]] || {
            usage >&2
            exit 2
        }
        case $1 in
        --seconds) seconds=$2 ;;
        --jobs) jobs=$2 ;;
        --out) out=$2 ;;
        esac
        shift
        ;;
    --seconds=*) seconds=${1#*=} ;;
    --jobs=*) jobs=${1#*=} ;;
    --out=*) out=${1#*=} ;;
    -h | --help)
        usage
        exit 0
        ;;
    -*)
        usage >&2
        exit 2
        ;;
    *)
        [[ " ${TARGETS[*]} " == *" $1 "* ]] || {
            echo "fuzz: unknown target '$1'" >&2
            usage >&2
            exit 2
        }
        selected+=("$1")
        ;;
    esac
    shift
done
[[ $seconds =~ ^[1-9][0-9]*$ && $jobs =~ ^[1-9][0-9]*$ ]] || {
    usage >&2
    exit 2
}
((${#selected[@]} > 0)) || selected=("${TARGETS[@]}")
mkdir -p "$out"
out=$(cd "$out" && pwd)

# --- toolchain: the project's packages, then clang and its runtimes (libFuzzer, ASan, UBSan) ---------------------
"$ROOT/scripts/deps.sh"

missing=()
for pkg in clang libclang-rt-14-dev; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [[ $status == installed ]] || missing+=("$pkg")
done
if ((${#missing[@]} > 0)); then
    SUDO=()
    [[ $(id -u) -ne 0 ]] && SUDO=(sudo)
    log=$(mktemp)
    if ! { "${SUDO[@]}" apt-get update -qq && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "${missing[@]}"; } >"$log" 2>&1 </dev/null; then
        cat "$log" >&2
        rm -f "$log"
        echo "fuzz: FAILED installing: ${missing[*]}" >&2
        exit 1
    fi
    rm -f "$log"
    echo "fuzz: installed ${#missing[@]} package(s): ${missing[*]}"
fi

# --- build -------------------------------------------------------------------------------------------------------
dir=$ROOT/build/fuzz
build_start=$(date +%s)
# A cache from another generator or compiler cannot be reused: start over.
if [[ -f $dir/CMakeCache.txt ]] && ! { grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$dir/CMakeCache.txt" &&
    grep -q '^INBOX_FUZZ:BOOL=ON$' "$dir/CMakeCache.txt"; }; then
    echo "fuzz: $dir was configured differently; reconfiguring from scratch"
    rm -rf "$dir"
fi
if [[ ! -f $dir/build.ninja ]]; then
    # Debug keeps assertions (Beast's, nlohmann's) on; -O1 is libFuzzer's advice for speed with usable stacks.
    cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DINBOX_FUZZ=ON \
        -DINBOX_BUILD_TESTS=OFF -DINBOX_SANITIZE=OFF -DINBOX_JEMALLOC=OFF \
        -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only" >/dev/null || {
        echo "fuzz: configure FAILED" >&2
        exit 1
    }
fi
cmake --build "$dir" --parallel "$(nproc)" --target "${selected[@]/%/_fuzz}"
echo "fuzz: build done in $(($(date +%s) - build_start))s ($dir)"

# --- run ---------------------------------------------------------------------------------------------------------
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

# Runs one target in $out/<target>/ and writes its summary fields to result.
run_target() {
    local target=$1 work=$out/$1
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts"
    cp "$ROOT/fuzz/corpus/$target/"* "$work/corpus/"
    if [[ $target == webhook_payload ]]; then
        if compgen -G "$FIXTURES/*.json" >/dev/null; then
            cp "$FIXTURES"/*.json "$work/corpus/"
        else
            echo "fuzz: no fixtures in $FIXTURES; webhook_payload starts from its own seeds only" >&2
        fi
    fi
    local seeds
    seeds=$(find "$work/corpus" -type f | wc -l)
    local args=(-max_total_time="$seconds" -max_len="${MAX_LEN[$target]:-$DEFAULT_MAX_LEN}" -timeout=10
        -print_final_stats=1 -artifact_prefix="$work/artifacts/")
    [[ -n ${DICT[$target]:-} ]] && args+=(-dict="$ROOT/fuzz/dict/${DICT[$target]}.dict")

    local start status=0
    start=$(date +%s)
    "$dir/fuzz/${target}_fuzz" "${args[@]}" "$work/corpus" >"$work/log" 2>&1 || status=$?
    local elapsed=$(($(date +%s) - start))

    # The last status line ("#N ... cov: C ft: F corp: ...") and the final stats.
    local status_line execs rate cov ft corpus artifacts
    status_line=$(grep -a -E '^#[0-9]+.*cov: ' "$work/log" | tail -n 1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status_line")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status_line")
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -n 1)
    corpus=$(find "$work/corpus" -type f | wc -l)
    artifacts=$(find "$work/artifacts" -type f -name '*-*' ! -name 'slow-unit-*' | sort | paste -sd ' ' -)
    if [[ -z $artifacts && $status -ne 0 ]]; then
        artifacts="exit-status-$status(see $work/log)"
    fi
    printf '%s|%s|%s|%s|%s|%s|%s|%s\n' "$target" "$elapsed" "${execs:--}" "${rate:--}" "${cov:--}" "${ft:--}" \
        "$seeds->$corpus" "${artifacts:-0}" >"$work/result"
}

echo "fuzz: ${#selected[@]} target(s), ${seconds}s each, $jobs at a time, into $out"
running=0
for target in "${selected[@]}"; do
    if ((running >= jobs)); then
        wait -n || true
        running=$((running - 1))
    fi
    run_target "$target" &
    running=$((running + 1))
done
wait || true

failed=0
printf '\n%-18s %5s %10s %8s %6s %6s %12s  %s\n' target secs execs execs/s cov ft corpus crashes
for target in "${selected[@]}"; do
    result=$out/$target/result
    if [[ ! -f $result ]]; then
        printf '%-18s did not report (see %s)\n' "$target" "$out/$target/log"
        failed=1
        continue
    fi
    IFS='|' read -r name elapsed execs rate cov ft corpus crashes <"$result"
    printf '%-18s %5s %10s %8s %6s %6s %12s  %s\n' "$name" "$elapsed" "$execs" "$rate" "$cov" "$ft" "$corpus" "$crashes"
    [[ $crashes == 0 ]] || failed=1
done
if ((failed)); then
    echo "fuzz: FAILED; replay an input with build/fuzz/fuzz/<target>_fuzz <file> (logs in $out/<target>/log)" >&2
    exit 1
fi
echo "fuzz: no crashes, leaks or timeouts"
