#!/usr/bin/env bash
# The benchmark harness: one command that provisions everything on this machine and measures a scenario next to
# the baselines a reader needs to judge the figures, all in the same run.
#
#   loadtest/bench.sh [--scenario health|inbox|conversations|messages|webhook|webhook_senders|send|send_media|
#                                send_template|media|media_first|contacts|seed|FILE]
#                     [--rate R] [--duration 20s]
#                     [--warmup 3s] [--connections 64] [--threads 1] [--graph-latency-ms 250]
#                     [--graph-connection-delay-ms 0] [--no-baselines] [--smoke] [--build-dir DIR] [--out DIR]
#                     [--closed-loop]   (instead of --rate: every connection sends as soon as it has an answer, as
#                                        wrk does; server and nginx both run as fast as they go; adds the per-query
#                                        pgbench baseline: the routes' own statements, same parameters)
#                     [--profile]       (perf record -a during the measured load: CPU by process, the server's top
#                                        frames, in perf-*.txt of the run directory)
#                     [--replica]       (a streaming replica of the seeded database, pg_basebackup; the server's list
#                                        reads go to it: DATABASE_READ_URL)
#
# Provisions: durable Postgres (fsync=on, synchronous_commit=on), Redis, the fake Graph API (250 ms per call by
# default, to model Meta), the server (Release build), and the seed data set (loadtest/seed.sql: 3 accounts,
# 3,000 conversations, ~100k messages). Baselines: nginx `return 200` with 1 worker driven by the same load tool
# and settings, pgbench single-row durable INSERTs, redis-benchmark GET. Results: a table per run, JSON files in
# the output directory, and the server/nginx throughput ratio.
# --smoke: a few seconds of health at a modest rate, no baselines, fails on any error (CI).
# --scenario seed: the previous product's day compressed (every endpoint, contact lookup failing, check-media at the
# old frontend's rate); run it with --rate 1020 so each weight is that endpoint's rate per second. A webhook burst at
# 2,000/s follows (scenarios/seed_burst.json, 20 s: the webhook target's rate). It ends with loadtest/seed_gate.py
# and exits non-zero when a target is missed (a release gate).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../scripts/lib/services.sh
source "$ROOT/scripts/lib/services.sh"

scenario=health rate=5000 duration=20s warmup=3s connections=64 threads=1 graph_latency_ms=250
graph_connection_delay_ms=0 baselines=1 smoke=0 build_dir="" out="" closed_loop=0 profile=0 replica=0
while [[ $# -gt 0 ]]; do
    case $1 in
    --scenario) scenario=$2; shift ;;
    --rate) rate=$2; shift ;;
    --duration) duration=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --connections) connections=$2; shift ;;
    --threads) threads=$2; shift ;;
    --graph-latency-ms) graph_latency_ms=$2; shift ;;
    --graph-connection-delay-ms) graph_connection_delay_ms=$2; shift ;;
    --no-baselines) baselines=0 ;;
    --closed-loop) closed_loop=1 ;;
    --profile) profile=1 ;;
    --replica) replica=1 ;;
    --smoke) smoke=1 ;;
    --build-dir) build_dir=$2; shift ;;
    --out) out=$2; shift ;;
    -h | --help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
if ((smoke)); then
    rate=300 duration=3s warmup=1s connections=8 baselines=0
fi

say() { printf 'bench: %s\n' "$*" >&2; }
# Whole seconds of a loadgen duration (20s, 1m, 1500ms) for tools that take seconds (pgbench -T).
seconds_of() { python3 -c 'import re,sys; n,u=re.fullmatch(r"([0-9.]+)(ms|s|m)?",sys.argv[1]).groups(); print(max(1,round(float(n)*{"ms":0.001,"s":1,"m":60,None:1}[u])))' "$1"; }

if [[ -z $build_dir ]]; then
    build_dir=$ROOT/build/release
    bash "$ROOT/scripts/deps.sh"
    bash "$ROOT/scripts/build.sh" release --target whatsapp-inbox inbox-loadgen fake-graph
fi
SERVER_BIN=$build_dir/src/whatsapp-inbox
LOADGEN_BIN=$build_dir/loadtest/loadgen/inbox-loadgen
FAKE_GRAPH_BIN=$build_dir/tools/fake_graph/fake-graph
for bin in "$SERVER_BIN" "$LOADGEN_BIN"; do
    [[ -x $bin ]] || { say "missing $bin (build it first)"; exit 1; }
done

run_dir=${out:-$(mktemp -d /tmp/inbox-bench.XXXXXX)}
mkdir -p "$run_dir"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    svc_stop_all
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- services -------------------------------------------------------------------------------------------------
svc_pg_start --durable
svc_redis_start
DB_URL=${PG_URL%/postgres}/inbox
psql "$PG_URL" -qc "CREATE DATABASE inbox"

if [[ -x $FAKE_GRAPH_BIN ]]; then
    "$FAKE_GRAPH_BIN" --port 0 --latency-ms "$graph_latency_ms" --connection-delay-ms "$graph_connection_delay_ms" \
        >"$run_dir/fake-graph.out" 2>"$run_dir/fake-graph.log" &
    pids+=($!)
    for _ in $(seq 50); do grep -q "listening on" "$run_dir/fake-graph.out" 2>/dev/null && break; sleep 0.1; done
    GRAPH_BASE=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$run_dir/fake-graph.out" | head -1)
    say "fake Graph at $GRAPH_BASE (${graph_latency_ms} ms per call, ${graph_connection_delay_ms} ms per new connection)"
fi

export DATABASE_URL=$DB_URL REDIS_URL=$REDIS_URL LOG_LEVEL=${LOG_LEVEL:-warn}
export JWT_SECRET=bench-jwt-secret-0123456789abcdef0123456789 MEDIA_URL_SECRET=bench-media-secret-0123456789abcdef012345
export WHATSAPP_APP_SECRET=bench-webhook-secret WHATSAPP_VERIFY_TOKEN=bench-verify-token MEDIA_DIR=$run_dir/media
[[ -n ${GRAPH_BASE:-} ]] && export GRAPH_API_BASE=$GRAPH_BASE
"$SERVER_BIN" migrate
if ((smoke)); then
    psql "$DB_URL" -q -v accounts=1 -v conversations_per_account=20 -v messages_per_conversation=5 -v user=bench-user -f "$ROOT/loadtest/seed.sql"
else
    say "seeding (3 accounts, 3,000 conversations, ~100k messages)"
    psql "$DB_URL" -q -v accounts=3 -v conversations_per_account=1000 -v messages_per_conversation=34 -v user=bench-user -f "$ROOT/loadtest/seed.sql"
fi
# What a restore would do next: without it, autovacuum's first pass over the freshly loaded tables (and the
# checkpoint it drives) lands inside the measured window as 40 ms fsync stalls of every durable commit.
psql "$DB_URL" -qc "VACUUM (FREEZE, ANALYZE)" -c "CHECKPOINT"
if ((replica)); then
    svc_pg_replica_start
    for _ in $(seq 300); do
        lag=$(psql "$REPLICA_URL" -Atc "SELECT pg_wal_lsn_diff('$(psql "$PG_URL" -Atc "SELECT pg_current_wal_insert_lsn()")', pg_last_wal_replay_lsn())")
        ((${lag%.*} <= 0)) && break
        sleep 0.1
    done
    export DATABASE_READ_URL=${REPLICA_URL%/postgres}/inbox
    say "list reads go to the replica at $DATABASE_READ_URL"
fi
psql "$DB_URL" -Atc "SELECT id FROM accounts ORDER BY name" >"$run_dir/account_ids.txt"
psql "$DB_URL" -Atc "SELECT id FROM conversations ORDER BY id" >"$run_dir/conversation_ids.txt"
# Sends go to 200 conversations whose window is open: the warm-up caches their windows, so the measured sends are
# warm ones (the cold first send of each is 3 statements instead of 2).
psql "$DB_URL" -Atc "SELECT id FROM conversations WHERE last_inbound_at > now() - interval '23 hours' ORDER BY id LIMIT 200" \
    >"$run_dir/open_conversation_ids.txt"
# The seed day: auto-template sends go to conversations whose window closed; check-media is called on the 10
# conversations the agents have open.
psql "$DB_URL" -Atc "SELECT id FROM conversations WHERE last_inbound_at < now() - interval '25 hours' ORDER BY id LIMIT 200" \
    >"$run_dir/closed_window_conversation_ids.txt"
psql "$DB_URL" -Atc "SELECT id FROM conversations ORDER BY id DESC LIMIT 10" >"$run_dir/checked_conversation_ids.txt"
# Media: every media message starts undownloaded (the seed's "stored" rows have no file); 200 of them are
# downloaded before the `media` scenario, the rest are first fetches for `media_first`.
if [[ $scenario == media || $scenario == media_first || $scenario == seed ]]; then
    psql "$DB_URL" -qc "UPDATE messages SET media_state = 'pending', media_key = NULL, media_sha256 = NULL WHERE media_id IS NOT NULL"
    psql "$DB_URL" -Atc "SELECT id FROM messages WHERE media_id IS NOT NULL ORDER BY id LIMIT 200" >"$run_dir/stored_media_ids.txt"
    psql "$DB_URL" -Atc "SELECT id FROM messages WHERE media_id IS NOT NULL ORDER BY id OFFSET 200" >"$run_dir/pending_media_ids.txt"
fi
psql "$DB_URL" -Atc "SELECT id FROM contacts ORDER BY id" >"$run_dir/contact_ids.txt"
# Contacts: the upstream lookup configured and failing on every call, like the old product's.
if [[ ($scenario == contacts || $scenario == seed) && -n ${GRAPH_BASE:-} ]]; then
    export WHATSAPP_CONTACT_LOOKUP_URL=$GRAPH_BASE/contacts-lookup
    curl -sf "$GRAPH_BASE/_control/knobs" -d '{"families":{"contacts":{"failure":{"status":500}}}}' >/dev/null
    say "contact lookup at $WHATSAPP_CONTACT_LOOKUP_URL, failing every call"
fi
TOKEN=$("$SERVER_BIN" token --user bench-user --ttl 86400)

SERVER_PORT=$(svc_free_port)
PORT=$SERVER_PORT "$SERVER_BIN" serve --no-migrate >"$run_dir/server.log" 2>&1 &
SERVER_PID=$!
pids+=($SERVER_PID)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$SERVER_PORT/health" >/dev/null && break; sleep 0.1; done
say "server on 127.0.0.1:$SERVER_PORT (log: $run_dir/server.log)"
if [[ $scenario == media || $scenario == seed ]]; then
    say "downloading the 200 media of the media scenario"
    xargs -P 16 -I{} curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" \
        "http://127.0.0.1:$SERVER_PORT/messages/media/{}?wait=10" <"$run_dir/stored_media_ids.txt"
    psql "$DB_URL" -Atc "SELECT count(*) || ' stored' FROM messages WHERE media_state = 'stored'" >&2
fi

# Media sends: one distinct 1 MB photo per send (each is uploaded to Meta, then sent), uploaded beforehand to the
# accounts of the open-window conversations they go to; the scenario draws them in order.
if [[ $scenario == send_media ]]; then
    sends=$((${rate%.*} * ($(seconds_of "$duration") + $(seconds_of "$warmup")) + 50))
    psql "$DB_URL" -Atc "SELECT account_id || ' ' || id FROM conversations WHERE last_inbound_at > now() - interval '23 hours'
                         ORDER BY id LIMIT 200" >"$run_dir/open_conversation_accounts.txt"
    say "uploading $sends distinct 1 MB photos for the media sends"
    python3 "$ROOT/loadtest/uploads.py" prepare --port "$SERVER_PORT" --token "$TOKEN" --count "$sends" \
        --out "$run_dir/media_send" "$run_dir/open_conversation_accounts.txt"
fi

# The scenario, with id lists and fixture paths made absolute for this run.
case $scenario in
health | inbox | conversations | messages | webhook | webhook_senders | send | send_media | send_template | media | \
    media_first | contacts | seed)
    scenario_file=$ROOT/loadtest/scenarios/$scenario.json
    ;;
*) scenario_file=$scenario ;;
esac
python3 - "$scenario_file" "$run_dir" >"$run_dir/scenario.json" <<'PY'
import json, os, sys
path, run_dir = sys.argv[1], sys.argv[2]
base = os.path.dirname(os.path.abspath(path))
scenario = json.load(open(path))
for request in scenario.get("requests", []):
    if "body_file" in request:
        request["body_file"] = os.path.normpath(os.path.join(base, request["body_file"]))
lists = scenario.setdefault("id_lists", {})
for name, file in list(lists.items()):
    if isinstance(file, dict):
        file["file"] = os.path.normpath(os.path.join(base, file["file"]))
    else:
        lists[name] = os.path.normpath(os.path.join(base, file))
used = json.dumps(scenario["requests"])
for name, file in (("account_id", "account_ids.txt"), ("conversation_id", "conversation_ids.txt"),
                   ("open_conversation_id", "open_conversation_ids.txt"), ("stored_media_id", "stored_media_ids.txt"),
                   ("pending_media_id", "pending_media_ids.txt"), ("contact_id", "contact_ids.txt"),
                   ("closed_window_conversation_id", "closed_window_conversation_ids.txt"),
                   ("checked_conversation_id", "checked_conversation_ids.txt")):
    if "{{%s}}" % name in used:
        lists[name] = os.path.join(run_dir, file)
for name in ("media_send_conversations", "media_send_uploads"):  # pairs: drawn in request order, each once
    if "{{%s}}" % name in used:
        lists[name] = {"file": os.path.join(run_dir, name + ".txt"), "order": "sequential"}
print(json.dumps(scenario, indent=2))
PY

load() {  # load NAME TARGET SCENARIO [extra args]
    local name=$1 target=$2 file=$3
    shift 3
    local pace=(--rate "$rate")
    ((closed_loop)) && pace=(--closed-loop)
    say "load: $name → $target ${pace[*]} for $duration ($connections connections)"
    "$LOADGEN_BIN" --target "$target" --scenario "$file" "${pace[@]}" --duration "$duration" --warmup "$warmup" \
        --connections "$connections" --threads "$threads" --json "$run_dir/$name.json" \
        --var token="$TOKEN" --var webhook_secret="$WHATSAPP_APP_SECRET" "$@" | tee "$run_dir/$name.txt"
}

# --- baselines --------------------------------------------------------------------------------------------------
if ((baselines)); then
    NGINX_PORT=$(svc_free_port)
    mkdir -p "$run_dir/nginx"
    cat >"$run_dir/nginx/nginx.conf" <<NGINX
worker_processes 1;
error_log $run_dir/nginx/error.log;
pid $run_dir/nginx/nginx.pid;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $run_dir/nginx;
    server { listen 127.0.0.1:$NGINX_PORT; keepalive_requests 1000000; location / { return 200 '{"status":"ok"}'; } }
}
NGINX
    nginx -c "$run_dir/nginx/nginx.conf" -g 'daemon off;' &
    pids+=($!)
    sleep 0.5
    cat >"$run_dir/nginx-health.json" <<'JSON'
{"name": "nginx-health", "requests": [{"name": "health", "method": "GET", "path": "/health"}]}
JSON
    load baseline-nginx "http://127.0.0.1:$NGINX_PORT" "$run_dir/nginx-health.json"

    say "baseline: pgbench, single-row durable INSERT (8 clients, 10 s, synchronous_commit=on)"
    psql "$PG_URL" -qc "CREATE DATABASE pgbench_baseline"
    psql "${PG_URL%/postgres}/pgbench_baseline" -qc "CREATE TABLE single_row (id bigserial PRIMARY KEY, body text NOT NULL, at timestamptz NOT NULL DEFAULT now())"
    echo "INSERT INTO single_row (body) VALUES ('{\"object\":\"whatsapp_business_account\"}');" >"$run_dir/pgbench-insert.sql"
    pgbench -n -c 8 -j 2 -T 10 -f "$run_dir/pgbench-insert.sql" "${PG_URL%/postgres}/pgbench_baseline" | tee "$run_dir/pgbench.txt"

    # The latency of one durable commit at the scenario's own rate: the floor under any request that must wait for
    # one (a webhook's 200, a send's pending row).
    if ((!closed_loop)); then
        say "baseline: pgbench durable single-row INSERT latency at $rate/s (4 clients, 10 s, -R)"
        rm -f "$run_dir"/pgbench-latency.*
        pgbench -n -c 4 -j 2 -T 10 -R "$rate" -l --log-prefix="$run_dir/pgbench-latency" -f "$run_dir/pgbench-insert.sql" \
            "${PG_URL%/postgres}/pgbench_baseline" >"$run_dir/pgbench-latency.txt" 2>&1 || true
    fi

    say "baseline: redis-benchmark GET (50 clients, 200k requests)"
    redis-benchmark -h 127.0.0.1 -p "${REDIS_URL##*:}" -t get -n 200000 -q | tee "$run_dir/redis-benchmark.txt"
fi

# The per-query baseline (closed loop): Postgres alone running the exact statements the scenario's routes run, with
# the same parameters and the same concurrency (loadtest/route_sql.py). Statement logging is on only while a sample
# of the scenario's requests is sent once.
if ((baselines && closed_loop)); then
    say "baseline: the routes' own statements through pgbench -M prepared ($connections clients, $duration)"
    # The sample is sent once before logging starts: the logged pass then runs what the measured window runs
    # (with the page cache on, mostly the version checks of held pages; with PAGE_CACHE_MB=0, the pages).
    python3 "$ROOT/loadtest/route_sql.py" urls "$run_dir/scenario.json" 32 | while read -r path; do
        curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$SERVER_PORT$path"
    done
    pg_log=$PG_DATA/server.log
    log_from=$(stat -c %s "$pg_log")
    psql "$PG_URL" -qc "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 0.3
    python3 "$ROOT/loadtest/route_sql.py" urls "$run_dir/scenario.json" 32 | while read -r path; do
        curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$SERVER_PORT$path"
    done
    psql "$PG_URL" -qc "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
    tail -c +"$((log_from + 1))" "$pg_log" >"$run_dir/route-statements.log"
    python3 "$ROOT/loadtest/route_sql.py" scripts "$run_dir/route-statements.log" "$run_dir/route-sql" |
        tee "$run_dir/route-sql.txt"
    mapfile -t route_args <"$run_dir/route-sql/pgbench-args"
    if [[ -n ${route_args[0]:-} ]]; then
        pgbench -n -M prepared -c "$connections" -j "$threads" -T "$(seconds_of "$duration")" "${route_args[@]}" "$DB_URL" \
            >"$run_dir/pgbench-route.txt" 2>&1 || true
        grep -E "^(tps|latency)" "$run_dir/pgbench-route.txt" || tail -3 "$run_dir/pgbench-route.txt"
    fi
fi

# --- the scenario -----------------------------------------------------------------------------------------------
# The baselines wrote WAL (pgbench's inserts): checkpoint now rather than inside the measured window.
psql "$PG_URL" -qc "CHECKPOINT"
extra=()
((smoke)) && extra+=(--fail-on-errors)
if ((profile)); then
    # Whole machine for the measured window (after the warm-up): on 2 cores the split between the server,
    # Postgres and the load generator is half the story.
    (sleep "$(seconds_of "$warmup")" && perf record -a -F 999 -o "$run_dir/perf.data" -- sleep "$(seconds_of "$duration")" \
        >"$run_dir/perf-record.log" 2>&1) &
    perf_pid=$!
fi
load "server-$scenario" "http://127.0.0.1:$SERVER_PORT" "$run_dir/scenario.json" "${extra[@]}"
if [[ $scenario == seed ]]; then
    # The webhook target's own rate: 2,000 deliveries/s (messages and statuses) for 20 s after the day.
    sed "s|\.\./\.\./\.\./shared|$(cd "$ROOT/.." && pwd)/shared|" "$ROOT/loadtest/scenarios/seed_burst.json" \
        >"$run_dir/seed_burst.json"
    rate=2000 duration=20s load server-seed-burst "http://127.0.0.1:$SERVER_PORT" "$run_dir/seed_burst.json"
fi
if ((profile)); then
    wait "$perf_pid" || true
    perf report -i "$run_dir/perf.data" --no-children --sort comm --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' |
        head -12 >"$run_dir/perf-by-process.txt"
    # Shares of the server's own samples (--percentage relative): by library, then the top frames.
    perf report -i "$run_dir/perf.data" --no-children --comm whatsapp-inbox --sort dso --stdio --percentage relative \
        2>/dev/null | grep -v '^#' | grep -v '^$' | head -10 >"$run_dir/perf-server-top.txt"
    perf report -i "$run_dir/perf.data" --no-children --comm whatsapp-inbox --sort dso,sym --stdio --percentage relative \
        --percent-limit 0.7 2>/dev/null | grep -v '^#' | grep -v '^$' | head -40 >>"$run_dir/perf-server-top.txt"
    say "profile: CPU by process ($run_dir/perf-by-process.txt)"
    cat "$run_dir/perf-by-process.txt" >&2
    say "profile: the server's top frames ($run_dir/perf-server-top.txt)"
    head -35 "$run_dir/perf-server-top.txt" >&2
fi
curl -s "http://127.0.0.1:$SERVER_PORT/metrics" >"$run_dir/metrics.txt"

# Upload throughput on loopback (API.md Part 2 uploads are streamed to the media store): 64 MiB PDFs, one at a
# time and two at a time, after the media sends (their metrics are taken above).
if [[ $scenario == send_media ]]; then
    account=$(head -1 "$run_dir/account_ids.txt")
    for parallel in 1 2; do
        python3 "$ROOT/loadtest/uploads.py" throughput --port "$SERVER_PORT" --token "$TOKEN" --account "$account" \
            --size-mb 64 --files 8 --parallel "$parallel"
    done >"$run_dir/uploads-throughput.txt"
fi

# A 100 MB download must not raise the server's peak memory by its size: VmHWM before and after one.
if [[ $scenario == media_first && -n ${GRAPH_BASE:-} ]]; then
    big=$(psql "$DB_URL" -Atc "SELECT id || ' ' || media_id FROM messages WHERE media_state = 'pending' ORDER BY id DESC LIMIT 1")
    curl -sf "$GRAPH_BASE/_control/knobs" -d "{\"media\":{\"${big#* }\":{\"size\":104857600}}}" >/dev/null
    before=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")
    for _ in $(seq 12); do
        code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
            "http://127.0.0.1:$SERVER_PORT/messages/media/${big% *}?wait=10")
        [[ $code == 302 ]] && break
    done
    after=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")
    echo "100 MB download: answer $code, server peak RSS (VmHWM) $before kB -> $after kB (+$(((after - before) / 1024)) MB)" \
        | tee "$run_dir/large-download.txt"
fi

# --- summary ----------------------------------------------------------------------------------------------------
python3 "$ROOT/loadtest/bench_report.py" "$run_dir" "$scenario" "$graph_latency_ms"

# The seed day gates a release: every endpoint against its target (loadtest/seed_gate.py), non-zero when one is missed.
if [[ $scenario == seed ]]; then
    python3 "$ROOT/loadtest/seed_gate.py" "$run_dir" "$graph_latency_ms"
fi
