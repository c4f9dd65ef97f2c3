#!/usr/bin/env bash
# The fault suite: each fault injected into real processes on loopback under load, with what clients saw and the
# invariants checked (docs/RELIABILITY.md). Provisions Postgres and Redis (throwaway), builds what it needs.
#
#   loadtest/faults.sh [--short] [--build-dir DIR] [--out DIR] [scenario ...]
#
# Scenarios: postgres_stop postgres_lock redis_kill graph_outage graph_hang sigterm rolling_restart overload
# disk_full sigkill_mixed send_race (default: all). --short: the CI versions (seconds per fault). disk_full mounts a tmpfs,
# so it needs root. Exit code 1 when any check failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../scripts/lib/services.sh
source "$ROOT/scripts/lib/services.sh"

short=() build_dir="" out="" scenarios=()
while [[ $# -gt 0 ]]; do
    case $1 in
    --short) short=(--short) ;;
    --build-dir) build_dir=$2; shift ;;
    --out) out=$2; shift ;;
    -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "faults: unknown option $1" >&2; exit 2 ;;
    *) scenarios+=("$1") ;;
    esac
    shift
done

# Postgres crashes (pg_ctl -m immediate) are among the faults: its commits must outlive them, as in production.
svc_harness_start faults --crash-safe

# Service control for the scenarios, as commands they can run (Postgres refuses to run as root: runuser).
runas=""
[[ $(id -u) -eq 0 ]] && runas="runuser -u postgres --"
cat >"$SVC_TMP/pg-stop.sh" <<SCRIPT
#!/usr/bin/env bash
cd / && $runas "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 stop >/dev/null
SCRIPT
cat >"$SVC_TMP/pg-start.sh" <<SCRIPT
#!/usr/bin/env bash
cd / && $runas "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 start >/dev/null
for _ in \$(seq 600); do "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p $PG_PORT -U postgres && exit 0; sleep 0.05; done
exit 1
SCRIPT
cat >"$SVC_TMP/redis-kill.sh" <<SCRIPT
#!/usr/bin/env bash
kill -9 "\$(cat "$SVC_TMP/redis/redis.pid")"
SCRIPT
cat >"$SVC_TMP/redis-start.sh" <<SCRIPT
#!/usr/bin/env bash
redis-server --port $REDIS_PORT --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$SVC_TMP/redis/redis.pid" --logfile "$SVC_TMP/redis/redis.log" --dir "$SVC_TMP/redis" >/dev/null
for _ in \$(seq 100); do [[ \$(redis-cli -p $REDIS_PORT ping 2>/dev/null) == PONG ]] && exit 0; sleep 0.05; done
exit 1
SCRIPT
chmod 755 "$SVC_TMP"/*.sh

if [[ -d $ROOT/../shared/fixtures ]]; then
    INBOX_FIXTURES_DIR=${INBOX_FIXTURES_DIR:-$(cd "$ROOT/../shared/fixtures" && pwd)}
fi
export INBOX_FIXTURES_DIR PG_URL REDIS_URL INBOX_BUILD_DIR=$build_dir
export FAULTS_PG_STOP=$SVC_TMP/pg-stop.sh FAULTS_PG_START=$SVC_TMP/pg-start.sh
export FAULTS_REDIS_KILL=$SVC_TMP/redis-kill.sh FAULTS_REDIS_START=$SVC_TMP/redis-start.sh
python3 "$ROOT/loadtest/faults/faults.py" --out "$out" "${short[@]}" "${scenarios[@]}"
