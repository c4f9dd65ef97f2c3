#!/usr/bin/env bash
# Runs the headless-browser tests of the web inbox. Starts throwaway Postgres and Redis (scripts/lib/services.sh)
# unless PG_URL and REDIS_URL are already set, e.g. by CI.
#
#   tests/browser/run.sh [--build-dir DIR] [--out DIR]
#
# --build-dir: the build whose whatsapp-inbox and fake-graph are tested (default: $INBOX_BUILD_DIR, else
# build/release). --out: screenshots, browser console and server logs (default: a new temp dir).
# Exit code: 0 passed (or SKIPPED: no usable Chromium), 1 a check failed, 2 bad usage.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${INBOX_BUILD_DIR:-$ROOT/build/release} out=""
while [[ $# -gt 0 ]]; do
    case $1 in
    --build-dir) build_dir=$2; shift ;;
    --out) out=$2; shift ;;
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "browser tests: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
INBOX_BUILD_DIR=$(cd "$build_dir" && pwd)
export INBOX_BUILD_DIR
for binary in src/whatsapp-inbox tools/fake_graph/fake-graph; do
    if [[ ! -x $INBOX_BUILD_DIR/$binary ]]; then
        echo "browser tests: $INBOX_BUILD_DIR/$binary is missing; build it first (scripts/build.sh)" >&2
        exit 2
    fi
done
if [[ -d $ROOT/../shared/fixtures ]]; then
    INBOX_FIXTURES_DIR=${INBOX_FIXTURES_DIR:-$(cd "$ROOT/../shared/fixtures" && pwd)}
    export INBOX_FIXTURES_DIR
fi

if [[ -z ${PG_URL:-} || -z ${REDIS_URL:-} ]]; then
    # shellcheck source-path=SCRIPTDIR source=../../scripts/lib/services.sh
    source "$ROOT/scripts/lib/services.sh"
    trap svc_stop_all EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    svc_pg_start --fast
    svc_redis_start
    export PG_URL REDIS_URL
fi

args=()
[[ -n $out ]] && args+=(--out "$out")
"${PYTHON:-python3}" "$ROOT/tests/browser/browser_test.py" "${args[@]}"
