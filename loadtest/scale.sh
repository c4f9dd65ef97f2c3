#!/usr/bin/env bash
# The scale scenario (issue #15, "many instances as one"): two whatsapp-inbox instances behind HAProxy (the
# configuration of scripts/lib/haproxy.sh, as `scripts/run.sh --instances N` runs it) on one Postgres, one Redis and
# the fake Graph API, all real processes on loopback. Checks that they behave as one server (no duplicated
# messages, check-media debounced across instances, live events reaching clients of either instance, background jobs
# shared, a breaker per instance) and measures 1 vs 2 instances. Provisions Postgres and Redis (throwaway).
#
#   loadtest/scale.sh [--build-dir DIR] [--out DIR] [--parts abcdef]
#
# Without --build-dir it installs dependencies and builds build/release first. --parts runs some of the parts a-f
# (see loadtest/scale.py). Results: DIR/results.md (also printed). The throughput part (f) runs under an exclusive
# lock on /tmp/bench.lock. Exit code 1 when a check failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../scripts/lib/services.sh
source "$ROOT/scripts/lib/services.sh"

build_dir="" out="" parts=abcdef
while [[ $# -gt 0 ]]; do
    case $1 in
    --build-dir) build_dir=$2; shift ;;
    --out) out=$2; shift ;;
    --parts) parts=$2; shift ;;
    -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "scale: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

svc_harness_start scale

if [[ -d $ROOT/../shared/fixtures ]]; then
    INBOX_FIXTURES_DIR=${INBOX_FIXTURES_DIR:-$(cd "$ROOT/../shared/fixtures" && pwd)}
fi
# SCALE_PG_DATA: the throughput table reports Postgres' CPU next to the instances' (its postmaster's pid file).
export INBOX_FIXTURES_DIR PG_URL REDIS_URL INBOX_BUILD_DIR=$build_dir SCALE_PG_DATA=$PG_DATA
python3 "$ROOT/loadtest/scale.py" --build-dir "$build_dir" --out "$out" --parts "$parts"
