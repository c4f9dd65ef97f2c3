# shellcheck shell=bash
# Helpers for THROWAWAY Postgres and Redis servers (tests, benchmarks) plus the Postgres primitives that
# scripts/run.sh reuses for its persistent dev cluster. Source this file; it defines functions only.
#
#   svc_pg_start [--fast|--crash-safe|--durable] → PG_PORT, PG_URL (superuser), PG_RESTART_CMD (executable script)
#   svc_pg_restart / svc_pg_stop
#   svc_redis_start            → REDIS_PORT, REDIS_URL
#   svc_redis_stop
#   svc_stop_all               → safe to call from an EXIT trap, any number of times

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

# Everything the throwaway servers create lives under one temp dir, removed by svc_stop_all.
SVC_TMP=${SVC_TMP:-}
PG_PORT=${PG_PORT:-}
PG_DATA=${PG_DATA:-}
REDIS_PORT=${REDIS_PORT:-}
# Outputs for the caller.
# shellcheck disable=SC2034
PG_URL=${PG_URL:-}
PG_RESTART_CMD=${PG_RESTART_CMD:-}
# shellcheck disable=SC2034
REDIS_URL=${REDIS_URL:-}

svc_log() { printf '[services] %s\n' "$*" >&2; }

# --- generic helpers ---------------------------------------------------------------------------

# True when nothing listens on 127.0.0.1:$1. A connect that fails means the port is free.
svc_port_is_free() {
    local port=$1
    ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# Prints a currently free loopback port. The kernel picks it (bind to port 0), so two callers in a row
# rarely collide; the start functions still retry on a bind failure because the race cannot be closed.
svc_free_port() {
    local port
    if command -v python3 >/dev/null 2>&1 &&
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null) &&
        [[ -n $port ]]; then
        printf '%s\n' "$port"
        return 0
    fi
    local i
    for ((i = 0; i < 200; i++)); do
        port=$((20000 + RANDOM % 40000))
        if svc_port_is_free "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    svc_log "no free loopback port found"
    return 1
}

# postgres/initdb refuse to run as root, so root runs them as the postgres user. cd / first: the caller's
# working directory may not be readable by postgres, which makes initdb and pg_ctl complain.
svc_as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

# Creates $1 (a directory path) for the cluster owner: postgres when root, else the current user.
svc_pg_mkdir() {
    mkdir -p "$1"
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres:postgres "$1"
    fi
    chmod 700 "$1"
}

# initdb with a superuser named postgres (also when not root, so URLs look the same everywhere) and trust
# auth: these clusters listen on 127.0.0.1 only and are local test or dev databases.
# $2 = fast or crash-safe skips initdb's fsync of the new cluster (throwaway clusters only).
svc_pg_initdb() {
    local data=$1 nosync=()
    [[ ${2:-} == fast || ${2:-} == crash-safe ]] && nosync=(--no-sync)
    svc_as_pg "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 "${nosync[@]}" >/dev/null ||
        return 1
    # Our settings live in one included file so a later start can rewrite them (e.g. a new port).
    printf '%s\n' "include_if_exists = 'inbox.conf'" | svc_as_pg tee -a "$data/postgresql.conf" >/dev/null
}

# Writes $data/inbox.conf. $3 = socket dir ('' → TCP only), $4 = durable|crash-safe|fast.
svc_pg_write_conf() {
    local data=$1 port=$2 sockdir=$3 mode=$4 conf
    conf="listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sockdir'
max_connections = 200
"
    if [[ $mode == durable ]]; then
        conf+="fsync = on
synchronous_commit = on
full_page_writes = on
"
    elif [[ $mode == crash-safe ]]; then
        # A Postgres crash (pg_ctl -m immediate, as the fault suite does) keeps every commit the server said was
        # durable: a commit waits for its WAL write, which outlives the process. Only an OS crash could lose it
        # (no fsync), and the fault suite never crashes the OS.
        conf+="fsync = off
synchronous_commit = on
full_page_writes = off
"
    else
        # Tests never need crash safety; this makes schema setup and commits several times faster.
        conf+="fsync = off
synchronous_commit = off
full_page_writes = off
"
    fi
    printf '%s' "$conf" | svc_as_pg tee "$data/inbox.conf" >/dev/null
}

# Waits until the server on 127.0.0.1:$1 accepts connections (up to $2 seconds, default 60).
svc_pg_wait_ready() {
    local port=$1 limit=${2:-60} i
    for ((i = 0; i < limit * 10; i++)); do
        if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
            return 0
        fi
        sleep 0.1
    done
    svc_log "postgres on port $port not ready after ${limit}s"
    return 1
}

# pg_ctl start (-w waits for the postmaster). The log is $data/server.log so postgres can always write it.
svc_pg_ctl_start() {
    local data=$1
    svc_as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null
}

svc_pg_ctl_stop() {
    local data=$1 mode=${2:-fast}
    svc_as_pg "$PG_BIN/pg_ctl" -D "$data" -m "$mode" -w -t 60 stop >/dev/null
}

svc_pg_is_running() {
    local data=$1
    [[ -d $data ]] && svc_as_pg "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1
}

# Last lines of the server log, for a failed start.
svc_pg_show_log() {
    local data=$1
    svc_as_pg tail -n 20 "$data/server.log" >&2 2>/dev/null || true
}

# --- throwaway Postgres ------------------------------------------------------------------------

svc_tmp_init() {
    if [[ -z $SVC_TMP || ! -d $SVC_TMP ]]; then
        SVC_TMP=$(mktemp -d "${TMPDIR:-/tmp}/inbox-svc.XXXXXX")
        # The postgres user must traverse it to reach its own data dir below.
        chmod 755 "$SVC_TMP"
    fi
}

# svc_pg_start [--fast|--crash-safe|--durable]: --durable keeps fsync/synchronous_commit on (benchmarks);
# --crash-safe keeps synchronous_commit on (faults that crash Postgres); --fast is the default.
svc_pg_start() {
    local mode=fast
    case ${1:---fast} in
    --fast) mode=fast ;;
    --durable) mode=durable ;;
    --crash-safe) mode=crash-safe ;;
    *)
        svc_log "svc_pg_start: unknown option $1"
        return 2
        ;;
    esac
    svc_tmp_init
    local pgroot=$SVC_TMP/pg
    svc_pg_mkdir "$pgroot"
    svc_pg_mkdir "$pgroot/sock"
    PG_DATA=$pgroot/data
    svc_pg_initdb "$PG_DATA" "$mode" || {
        svc_log "initdb failed"
        return 1
    }
    local attempt
    for attempt in 1 2 3; do
        PG_PORT=$(svc_free_port)
        svc_pg_write_conf "$PG_DATA" "$PG_PORT" "$pgroot/sock" "$mode"
        if svc_pg_ctl_start "$PG_DATA" && svc_pg_wait_ready "$PG_PORT"; then
            break
        fi
        svc_log "postgres failed to start on port $PG_PORT (attempt $attempt)"
        svc_pg_show_log "$PG_DATA"
        svc_pg_ctl_stop "$PG_DATA" immediate 2>/dev/null || true
        [[ $attempt == 3 ]] && return 1
    done
    PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
    svc_pg_write_restart_script
    svc_log "postgres ($mode) on 127.0.0.1:$PG_PORT, data $PG_DATA"
}

# A standalone script, so tests (any language, any process) can restart this exact cluster.
svc_pg_write_restart_script() {
    PG_RESTART_CMD=$SVC_TMP/pg-restart.sh
    local runas=""
    [[ $(id -u) -eq 0 ]] && runas="runuser -u postgres --"
    cat >"$PG_RESTART_CMD" <<EOF
#!/usr/bin/env bash
# Restarts the throwaway Postgres on port $PG_PORT (written by scripts/lib/services.sh).
set -euo pipefail
cd /
$runas "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null
$runas "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 start >/dev/null
for _ in \$(seq 1 600); do
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p $PG_PORT -U postgres && exit 0
    sleep 0.1
done
echo "pg-restart: postgres on port $PG_PORT not ready after 60s" >&2
exit 1
EOF
    chmod 755 "$PG_RESTART_CMD"
}

svc_pg_restart() {
    [[ -n ${PG_RESTART_CMD:-} ]] || {
        svc_log "no postgres started"
        return 1
    }
    "$PG_RESTART_CMD"
}

svc_pg_stop() {
    if [[ -n $PG_DATA && -d $PG_DATA ]]; then
        svc_pg_ctl_stop "$PG_DATA" fast 2>/dev/null ||
            svc_pg_ctl_stop "$PG_DATA" immediate 2>/dev/null || true
        # Last resort: a postmaster that pg_ctl could not stop still must not outlive the run.
        if [[ -f $PG_DATA/postmaster.pid ]]; then
            local pid
            pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)
            if [[ $pid =~ ^[0-9]+$ ]]; then
                kill -9 "$pid" 2>/dev/null || true
            fi
        fi
    fi
    PG_DATA=""
    PG_PORT=""
}

# svc_pg_replica_start: a hot standby of the throwaway primary (pg_basebackup -R: streaming replication), on its
# own port, for the read replica tests (DATABASE_READ_URL). Sets REPLICA_PORT, REPLICA_URL, REPLICA_DATA.
svc_pg_replica_start() {
    [[ -n ${PG_PORT:-} ]] || {
        svc_log "svc_pg_replica_start: start the primary first"
        return 1
    }
    REPLICA_DATA=$SVC_TMP/pg/replica
    svc_pg_mkdir "$REPLICA_DATA"
    svc_as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres -D "$REPLICA_DATA" -R -X stream \
        -c fast --no-sync >/dev/null || {
        svc_log "pg_basebackup failed"
        return 1
    }
    REPLICA_PORT=$(svc_free_port)
    # The copied inbox.conf carries the primary's port: this one gets its own (fsync settings stay the primary's).
    svc_as_pg sed -i "s/^port = .*/port = $REPLICA_PORT/" "$REPLICA_DATA/inbox.conf"
    if ! svc_pg_ctl_start "$REPLICA_DATA" || ! svc_pg_wait_ready "$REPLICA_PORT"; then
        svc_pg_show_log "$REPLICA_DATA"
        return 1
    fi
    REPLICA_URL="postgresql://postgres@127.0.0.1:$REPLICA_PORT/postgres"
    svc_log "postgres replica (streaming from :$PG_PORT) on 127.0.0.1:$REPLICA_PORT"
}

svc_pg_replica_stop() {
    if [[ -n ${REPLICA_DATA:-} && -d $REPLICA_DATA ]]; then
        svc_pg_ctl_stop "$REPLICA_DATA" fast 2>/dev/null || svc_pg_ctl_stop "$REPLICA_DATA" immediate 2>/dev/null || true
    fi
    REPLICA_DATA=""
    REPLICA_PORT=""
}

# --- throwaway Redis ---------------------------------------------------------------------------

svc_redis_start() {
    svc_tmp_init
    local dir=$SVC_TMP/redis attempt i
    mkdir -p "$dir"
    for attempt in 1 2 3; do
        REDIS_PORT=$(svc_free_port)
        # --dir keeps any file redis writes inside the temp dir; --save '' and no AOF: nothing persists.
        if redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
            --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" >/dev/null; then
            for ((i = 0; i < 100; i++)); do
                if [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; then
                    REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
                    svc_log "redis on 127.0.0.1:$REDIS_PORT"
                    return 0
                fi
                sleep 0.1
            done
        fi
        svc_log "redis failed to start on port $REDIS_PORT (attempt $attempt)"
        tail -n 20 "$dir/redis.log" >&2 2>/dev/null || true
        svc_redis_stop
    done
    return 1
}

svc_redis_stop() {
    local pidfile=${SVC_TMP:+$SVC_TMP/redis/redis.pid} pid i
    if [[ -n $pidfile && -f $pidfile ]]; then
        pid=$(cat "$pidfile" 2>/dev/null || true)
        if [[ $pid =~ ^[0-9]+$ ]]; then
            kill "$pid" 2>/dev/null || true
            for ((i = 0; i < 50; i++)); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$pidfile"
    fi
    REDIS_PORT=""
}

# --- the load harnesses (loadtest/faults.sh, loadtest/scale.sh) -----------------------------------

# svc_harness_start NAME [PG_MODE]: the Release build unless the caller's $build_dir names one, an output directory
# ($out, a fresh /tmp/inbox-NAME.* unless given), and throwaway Postgres (svc_pg_start PG_MODE, default --fast) and
# Redis, stopped when the script exits.
svc_harness_start() {
    local name=$1 pg_mode=${2:---fast}
    if [[ -z $build_dir ]]; then
        build_dir=$ROOT/build/release
        bash "$ROOT/scripts/deps.sh"
        bash "$ROOT/scripts/build.sh" release --target whatsapp-inbox inbox-loadgen fake-graph
    fi
    build_dir=$(cd "$build_dir" && pwd)
    out=${out:-$(mktemp -d "/tmp/inbox-$name.XXXXXX")}
    mkdir -p "$out"
    trap svc_stop_all EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    svc_pg_start "$pg_mode"
    svc_redis_start
}

# --- everything --------------------------------------------------------------------------------

svc_stop_all() {
    svc_redis_stop || true
    svc_pg_replica_stop || true
    svc_pg_stop || true
    if [[ -n $SVC_TMP && -d $SVC_TMP ]]; then
        rm -rf "$SVC_TMP"
    fi
    SVC_TMP=""
}
