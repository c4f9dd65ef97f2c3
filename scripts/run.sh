#!/usr/bin/env bash
# THE run command: on a fresh machine, installs dependencies, builds Release, provides a local Postgres (unless
# DATABASE_URL is set), dev secrets and a demo account, prints how to try it, then serves on PORT (8080).
#   scripts/run.sh [serve args...]   build, prepare and serve
#   scripts/run.sh --stop-db         stop the local dev Postgres that run.sh started
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source-path=SCRIPTDIR source=lib/services.sh
source "$ROOT/scripts/lib/services.sh"

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

case ${1:-} in
--stop-db)
    stop_db
    exit 0
    ;;
-h | --help)
    sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac

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

cat <<EOF

==================================== how to try it ====================================
  curl http://127.0.0.1:$PORT/health
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:$PORT/accounts

  database: $DATABASE_URL
  media:    $MEDIA_DIR
EOF
if ((local_db)); then
    cat <<EOF
  The dev Postgres keeps running after the server exits; stop it with: scripts/run.sh --stop-db
EOF
fi
echo "======================================================================================="
echo

exec "$BIN" serve "$@"
