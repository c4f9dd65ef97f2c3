#!/usr/bin/env bash
# THE run command: on a fresh machine, installs dependencies, builds Release, provides a local Postgres (unless
# DATABASE_URL is set), dev secrets and a demo account, prints how to try it, then serves on PORT (8080).
#   scripts/run.sh [serve args...]   build, prepare and serve
#   scripts/run.sh --instances N [--host H] [--port P]   the same, then N instances behind HAProxy on PORT
#   scripts/run.sh --stop-db         stop the local dev Postgres that run.sh started
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source-path=SCRIPTDIR source=lib/services.sh
source "$ROOT/scripts/lib/services.sh"
# shellcheck source-path=SCRIPTDIR source=lib/haproxy.sh
source "$ROOT/scripts/lib/haproxy.sh"

DATA_DIR=$ROOT/.data
PORT_FILE=$DATA_DIR/pg.port
SECRETS_FILE=$DATA_DIR/dev-secrets.env
BIN=$ROOT/build/release/src/whatsapp-inbox
DEMO_PHONE_NUMBER_ID=106540352242922
DEMO_USER=demo-user

say() { printf 'run: %s\n' "$*" >&2; }

# The dev cluster lives in .data/postgres, unless the postgres user cannot reach the repo (e.g. it sits in a
# 700 home directory): then in a per-repo directory under /var/tmp, which is always traversable.
resolve_pgdata() {
    mkdir -p "$DATA_DIR"
    if [[ $(id -u) -ne 0 ]] || svc_as_pg test -x "$DATA_DIR" 2>/dev/null; then
        PGDATA_DIR=$DATA_DIR/postgres
        return
    fi
    local hash
    hash=$(printf '%s' "$ROOT" | sha256sum | cut -c1-16)
    mkdir -p "/var/tmp/whatsapp-inbox/$hash"
    chmod 755 /var/tmp/whatsapp-inbox "/var/tmp/whatsapp-inbox/$hash"
    PGDATA_DIR=/var/tmp/whatsapp-inbox/$hash/postgres
    say "the postgres user cannot traverse $DATA_DIR; keeping the dev database in $PGDATA_DIR instead"
}

# Port of a running cluster: line 4 of postmaster.pid.
running_port() {
    svc_as_pg sed -n 4p "$PGDATA_DIR/postmaster.pid"
}

stop_db() {
    resolve_pgdata
    if svc_pg_is_running "$PGDATA_DIR"; then
        svc_pg_ctl_stop "$PGDATA_DIR" fast
        say "dev Postgres stopped (data kept in $PGDATA_DIR)"
    else
        say "dev Postgres is not running (data in $PGDATA_DIR)"
    fi
}

# Starts (or reuses) the persistent dev cluster and sets DB_PORT.
start_db() {
    resolve_pgdata
    if svc_pg_is_running "$PGDATA_DIR"; then
        DB_PORT=$(running_port)
        svc_pg_wait_ready "$DB_PORT" 30
        say "dev Postgres already running on 127.0.0.1:$DB_PORT"
        return
    fi
    if ! svc_as_pg test -f "$PGDATA_DIR/PG_VERSION" 2>/dev/null; then
        say "creating the dev Postgres cluster in $PGDATA_DIR"
        svc_pg_mkdir "$PGDATA_DIR"
        svc_pg_initdb "$PGDATA_DIR" durable
    fi
    # Keep the remembered port while it is free, so a URL the developer saved keeps working.
    DB_PORT=""
    if [[ -f $PORT_FILE ]]; then
        DB_PORT=$(<"$PORT_FILE")
        if ! [[ $DB_PORT =~ ^[0-9]+$ ]] || ! svc_port_is_free "$DB_PORT"; then
            say "remembered port ${DB_PORT:-?} is taken; picking another"
            DB_PORT=""
        fi
    fi
    [[ -n $DB_PORT ]] || DB_PORT=$(svc_free_port)
    # Durable settings: this is the developer's data. TCP on loopback only (no socket dir to manage).
    svc_pg_write_conf "$PGDATA_DIR" "$DB_PORT" "" durable
    if ! svc_pg_ctl_start "$PGDATA_DIR" || ! svc_pg_wait_ready "$DB_PORT"; then
        svc_pg_show_log "$PGDATA_DIR"
        say "dev Postgres failed to start (log: $PGDATA_DIR/server.log)"
        exit 1
    fi
    printf '%s\n' "$DB_PORT" >"$PORT_FILE"
    say "dev Postgres started on 127.0.0.1:$DB_PORT"
}

ensure_inbox_db() {
    local exists
    exists=$(psql -X -h 127.0.0.1 -p "$DB_PORT" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'inbox'")
    if [[ $exists != 1 ]]; then
        createdb -h 127.0.0.1 -p "$DB_PORT" -U postgres inbox
        say "created database inbox"
    fi
}

# Fills each unset secret from .data/dev-secrets.env, generating (once) the ones the file lacks.
# Values the caller exported always win.
load_dev_secrets() {
    local vars=(JWT_SECRET WHATSAPP_APP_SECRET WHATSAPP_VERIFY_TOKEN MEDIA_URL_SECRET) v val generated=() used=()
    for v in "${vars[@]}"; do
        [[ -z ${!v:-} ]] || continue
        val=""
        if [[ -f $SECRETS_FILE ]]; then
            val=$(sed -n "s/^$v=//p" "$SECRETS_FILE" | tail -n 1)
        fi
        if [[ -z $val ]]; then
            val=$(openssl rand -hex 32)
            (umask 077 && printf '%s=%s\n' "$v" "$val" >>"$SECRETS_FILE")
            generated+=("$v")
        fi
        export "$v=$val"
        used+=("$v")
    done
    [[ -f $SECRETS_FILE ]] && chmod 600 "$SECRETS_FILE"
    if ((${#generated[@]} > 0)); then
        cat >&2 <<EOF

!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!!  DEV SECRETS GENERATED: ${generated[*]}
!!  stored in $SECRETS_FILE (mode 600). For local development only:
!!  set these variables yourself for anything real.
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!

EOF
    elif ((${#used[@]} > 0)); then
        say "DEV SECRETS in use from $SECRETS_FILE: ${used[*]}"
    fi
}

# Prints the id of the account with the demo phone_number_id from `account list` (one JSON object per line).
find_demo_account() {
    local list
    list=$("$BIN" account list)
    if command -v python3 >/dev/null 2>&1; then
        printf '%s\n' "$list" | python3 -c '
import json, sys
for line in sys.stdin:
    line = line.strip()
    if line:
        o = json.loads(line)
        if str(o.get("phone_number_id")) == sys.argv[1]:
            print(o["id"])
            break
' "$DEMO_PHONE_NUMBER_ID"
    else
        printf '%s\n' "$list" | grep -E "\"phone_number_id\" *: *\"?$DEMO_PHONE_NUMBER_ID\"?[,}]" | head -n 1 |
            sed -n 's/.*"id" *: *"\{0,1\}\([^",}]*\).*/\1/p'
    fi
}

# --- cluster mode (--instances N, issue #15) -----------------------------------------------------------------
CLUSTER_DIR=$DATA_DIR/cluster
instances=1 cluster_host=${HOST:-0.0.0.0} cluster_pids=() cluster_ports=() haproxy_pid="" cluster_redis=0

# Takes --instances N out of the arguments (the rest stay serve's: SERVE_ARGS). In cluster mode --host and --port
# are the proxy's address (what one server would listen on) and --no-migrate is implied; nothing else is passed on.
parse_instances() {
    SERVE_ARGS=()
    while (($# > 0)); do
        case $1 in
        --instances)
            (($# >= 2)) || { say "--instances needs a number"; exit 2; }
            instances=$2
            shift 2
            ;;
        --instances=*) instances=${1#*=}; shift ;;
        *) SERVE_ARGS+=("$1"); shift ;;
        esac
    done
    [[ $instances =~ ^[1-9][0-9]*$ ]] || { say "--instances: expected a number >= 1, got '$instances'"; exit 2; }
    ((instances >= 2)) || return 0
    set -- "${SERVE_ARGS[@]}"
    while (($# > 0)); do
        case $1 in
        --host) cluster_host=${2:?--host needs a value}; shift 2 ;;
        --port) PORT=${2:?--port needs a value}; shift 2 ;;
        --no-migrate) shift ;;
        *) say "--instances: unsupported argument $1 (only --host, --port and --no-migrate)"; exit 2 ;;
        esac
    done
}

# Redis (unless REDIS_URL is set), N instances on free loopback ports, then HAProxy on HOST:PORT in front of them.
# A throwaway Redis: everything the server keeps there is a cache or a short-lived marker (check-media's 5 minutes),
# so nothing is worth keeping across runs, and a fresh one can never answer stale entries about a changed database.
cluster_start() {
    local i port probe=$cluster_host
    [[ $probe == 0.0.0.0 ]] && probe=127.0.0.1
    [[ -x $HAPROXY_BIN ]] || { say "no haproxy at $HAPROXY_BIN (scripts/deps.sh installs it)"; exit 1; }
    mkdir -p "$CLUSTER_DIR"
    if [[ -z ${REDIS_URL:-} ]]; then
        svc_redis_start
        cluster_redis=1
    fi
    export REDIS_URL
    for ((i = 1; i <= instances; i++)); do
        port=$(svc_free_port)
        # Behind the proxy every connection comes from 127.0.0.1, so the per-address cap (MAX_CONNECTIONS_PER_IP,
        # 1,000) would cap the whole service: the instances get the overall cap, and HAProxy applies the
        # per-address one to the real client addresses (scripts/lib/haproxy.sh).
        # setsid: Ctrl-C reaches this script only, which then stops everything in order (cluster_stop).
        HOST=127.0.0.1 PORT=$port MAX_CONNECTIONS_PER_IP=${MAX_CONNECTIONS:-10000} \
            setsid "$BIN" serve --no-migrate >"$CLUSTER_DIR/inbox-$i.log" 2>&1 &
        cluster_pids+=($!)
        cluster_ports+=("$port")
    done
    for ((i = 0; i < instances; i++)); do
        cluster_wait_http "instance $((i + 1))" "${cluster_pids[i]}" "http://127.0.0.1:${cluster_ports[i]}/health" \
            "$CLUSTER_DIR/inbox-$((i + 1)).log"
    done
    local servers=()
    for port in "${cluster_ports[@]}"; do servers+=("127.0.0.1:$port"); done
    HAPROXY_CONNECTIONS_PER_IP=${MAX_CONNECTIONS_PER_IP:-1000} \
        haproxy_write_config "$CLUSTER_DIR/haproxy.cfg" "$cluster_host" "$PORT" "${servers[@]}"
    haproxy_check_config "$CLUSTER_DIR/haproxy.cfg" || { say "the generated haproxy.cfg is invalid"; exit 1; }
    setsid "$HAPROXY_BIN" -db -f "$CLUSTER_DIR/haproxy.cfg" >"$CLUSTER_DIR/haproxy.log" 2>&1 &
    haproxy_pid=$!
    cluster_wait_http haproxy "$haproxy_pid" "http://$probe:$PORT/health" "$CLUSTER_DIR/haproxy.log"
}

# Waits (30 s) until $3 answers 200; stops everything if process $2 exits or never answers.
cluster_wait_http() {
    local name=$1 pid=$2 url=$3 log=$4 i
    for ((i = 0; i < 300; i++)); do
        curl -sf -o /dev/null --max-time 1 "$url" && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    say "$name did not start (log: $log):"
    tail -n 20 "$log" >&2 || true
    exit 1
}

# SIGTERM to every instance (each drains: finishes what it accepted, /ready 503, exits within its 10 s drain), with
# the proxy soft-stopped first so no new request reaches a draining instance; then the proxy and the Redis.
cluster_stop() {
    local pid i status=0
    trap - EXIT INT TERM
    [[ -z $haproxy_pid ]] || kill -USR1 "$haproxy_pid" 2>/dev/null || true
    for pid in "${cluster_pids[@]}"; do [[ -z $pid ]] || kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${cluster_pids[@]}"; do
        [[ -n $pid ]] || continue  # already exited (and reported) while the cluster ran
        for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null && say "instance $pid did not exit within 15 s: killed"
        wait "$pid" 2>/dev/null || status=1
    done
    if [[ -n $haproxy_pid ]]; then
        kill -TERM "$haproxy_pid" 2>/dev/null || true
        wait "$haproxy_pid" 2>/dev/null || true
    fi
    if ((cluster_redis)); then
        svc_redis_stop
        [[ -n $SVC_TMP && -d $SVC_TMP ]] && rm -rf "$SVC_TMP"
    fi
    say "cluster stopped"
    return "$status"
}

# Until Ctrl-C / SIGTERM: then everything stops in order and the exit status is 0 when every instance drained
# cleanly. An instance that exits on its own leaves the rotation (HAProxy's health check) and the others go on
# serving; when HAProxy or the last instance exits, everything stops with status 1.
cluster_supervise() {
    local pid status i alive
    while true; do
        pid="" status=0
        wait -n -p pid || status=$?
        [[ -n $pid ]] || continue
        if [[ $pid == "$haproxy_pid" ]]; then
            say "HAProxy exited (status $status, log: $CLUSTER_DIR/haproxy.log); stopping the cluster"
            haproxy_pid=""
            cluster_stop || true
            exit 1
        fi
        alive=0
        for ((i = 0; i < ${#cluster_pids[@]}; i++)); do
            if [[ ${cluster_pids[i]} == "$pid" ]]; then
                say "instance $((i + 1)) (127.0.0.1:${cluster_ports[i]}) exited with status $status" \
                    "(log: $CLUSTER_DIR/inbox-$((i + 1)).log); HAProxy serves with the others"
                cluster_pids[i]=""
            elif [[ -n ${cluster_pids[i]} ]] && kill -0 "${cluster_pids[i]}" 2>/dev/null; then
                alive=$((alive + 1))
            fi
        done
        if ((alive == 0)); then
            say "no instance left; stopping the cluster"
            cluster_stop || true
            exit 1
        fi
    done
}

case ${1:-} in
--stop-db)
    stop_db
    exit 0
    ;;
-h | --help)
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac

parse_instances "$@"
set -- "${SERVE_ARGS[@]}"

bash "$ROOT/scripts/deps.sh"
bash "$ROOT/scripts/build.sh" release --target whatsapp-inbox

local_db=0
if [[ -z ${DATABASE_URL:-} ]]; then
    start_db
    ensure_inbox_db
    export DATABASE_URL="postgresql://postgres@127.0.0.1:$DB_PORT/inbox"
    local_db=1
fi

load_dev_secrets
export MEDIA_DIR=${MEDIA_DIR:-$DATA_DIR/media}
mkdir -p "$MEDIA_DIR"
export PORT=${PORT:-8080}
# The web inbox (web/) at /, and the API's OpenAPI document at /openapi.yaml.
export WEB_DIR=${WEB_DIR:-$ROOT/web} OPENAPI_FILE=${OPENAPI_FILE:-$ROOT/docs/openapi.yaml}

"$BIN" migrate

account_id=$(find_demo_account)
if [[ -z $account_id ]]; then
    account_id=$("$BIN" account add --name "Demo Account" --phone-number-id "$DEMO_PHONE_NUMBER_ID" \
        --waba-id 102290129340398 --access-token demo-token --display-phone-number 15550783881)
    "$BIN" member add --account "$account_id" --user "$DEMO_USER"
    say "created demo account $account_id for user $DEMO_USER"
else
    # Re-adding is harmless and repairs a run that stopped between `account add` and `member add`.
    "$BIN" member add --account "$account_id" --user "$DEMO_USER" >/dev/null 2>&1 || true
    say "using demo account $account_id"
fi

TOKEN=$("$BIN" token --user "$DEMO_USER" --ttl 86400)

if ((instances >= 2)); then
    trap 'cluster_stop || true' EXIT
    trap 'say "stopping the cluster"; cluster_stop; exit $?' INT TERM
    cluster_start
fi

cat <<EOF

==================================== how to try it ====================================
  web inbox (signs you in as $DEMO_USER; the token is valid for 24 h):
    http://127.0.0.1:$PORT/?token=$TOKEN
  curl http://127.0.0.1:$PORT/health
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:$PORT/accounts

  database: $DATABASE_URL
  media:    $MEDIA_DIR
EOF
if ((instances >= 2)); then
    cat <<EOF
  cluster:  HAProxy on $cluster_host:$PORT (round robin, health check GET /ready) in front of $instances instances:
           $(printf ' 127.0.0.1:%s' "${cluster_ports[@]}")
  redis:    $REDIS_URL$( ((cluster_redis)) && printf ' (throwaway: stopped with the cluster)')
  logs:     $CLUSTER_DIR/inbox-{1..$instances}.log, haproxy.log (config: haproxy.cfg)
  Ctrl-C or SIGTERM drains every instance, then stops HAProxy and the throwaway Redis.
EOF
fi
if ((local_db)); then
    cat <<EOF
  The dev Postgres keeps running after the server exits; stop it with: scripts/run.sh --stop-db
EOF
fi
echo "======================================================================================="
echo

if ((instances >= 2)); then
    cluster_supervise
fi
exec "$BIN" serve "$@"
