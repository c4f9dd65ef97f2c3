#!/usr/bin/env bash
# The OpenAPI contract test (tests/contract/openapi_contract_test.py) for manual runs: starts throwaway Postgres and
# Redis (scripts/lib/services.sh, as loadtest/faults.sh does) unless PG_URL is already set, then runs the test
# against an existing build (nothing is built here).
#
#   tests/contract/run.sh [--build-dir DIR] [test options: --verbose --skip-web --keep --spec FILE]
#
# The build defaults to $INBOX_BUILD_DIR, else build/release (CI passes build/asan). It needs src/whatsapp-inbox
# and tools/fake_graph/fake-graph. Python 3 with python3-yaml and python3-jsonschema (Debian's 4.10 or later).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../../scripts/lib/services.sh
source "$ROOT/scripts/lib/services.sh"

build_dir=${INBOX_BUILD_DIR:-$ROOT/build/release}
args=()
while [[ $# -gt 0 ]]; do
    case $1 in
    --build-dir) build_dir=$2; shift ;;
    --build-dir=*) build_dir=${1#--build-dir=} ;;
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1") ;;
    esac
    shift
done
build_dir=$(cd "$build_dir" && pwd)
for binary in src/whatsapp-inbox tools/fake_graph/fake-graph; do
    [[ -x $build_dir/$binary ]] || { echo "contract: $build_dir/$binary is missing (build it first)" >&2; exit 2; }
done
"${PYTHON:-python3}" -c 'import yaml, jsonschema' 2>/dev/null ||
    { echo "contract: python3 needs yaml and jsonschema (apt-get install python3-yaml python3-jsonschema)" >&2; exit 2; }

if [[ -z ${PG_URL:-} || -z ${REDIS_URL:-} ]]; then
    trap svc_stop_all EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    [[ -z ${PG_URL:-} ]] && svc_pg_start --fast
    [[ -z ${REDIS_URL:-} ]] && svc_redis_start
fi

if [[ -d $ROOT/../shared/fixtures ]]; then
    INBOX_FIXTURES_DIR=${INBOX_FIXTURES_DIR:-$(cd "$ROOT/../shared/fixtures" && pwd)}
    export INBOX_FIXTURES_DIR
fi
export PG_URL REDIS_URL INBOX_BUILD_DIR=$build_dir
"${PYTHON:-python3}" "$ROOT/tests/contract/openapi_contract_test.py" "${args[@]}"
