"""Faults of the stores: Postgres stopped or locked, Redis killed."""
import json
import os
import threading
import time
import uuid

from harness import (SANITIZED, Database, Loadgen, Postgres, Probe, Redis, Server, delivery, percentile, request,
                     signed_headers, statuses, token, wait_until,
                     write_scenario)
from result import Result, ms, no_500

# The server's Redis connect/read/write timeout (RedisConnectionPool::Options::timeout).
REDIS_TIMEOUT_MS = 100


def postgres_stop(run_dir, short):
    """Postgres stopped under load: 503 fast everywhere that needs it, the webhook too; back within 5 s."""
    result = Result("postgres_stop", "Postgres stopped (immediate shutdown) under load, then started again")
    db = Database("pgstop")
    server = Server(db, run_dir, env={"DB_ACQUIRE_TIMEOUT_MS": "200"})
    bearer = {"Authorization": "Bearer " + token()}
    wamids = iter(range(10**9))
    probes = [
        Probe("ready", lambda: server.port, "GET", "/ready"),
        Probe("conversations", lambda: server.port, "GET", f"/accounts/{db.account_id}/conversations?limit=20",
              headers=bearer),
        Probe("webhook", lambda: server.port, "POST", "/webhook/whatsapp",
              body_fn=lambda: delivery("text_message.json", f"wamid.pgstop.{next(wamids)}"),
              headers={"X-Hub-Signature-256": "", "Content-Type": "application/json"}),
    ]
    for probe in probes:
        probe.start()
    outage = 3 if short else 10
    try:
        time.sleep(2)
        stopped_at = time.time()
        Postgres.stop()
        time.sleep(outage)
        restart_at = time.time()
        Postgres.start()
        back_at = time.time()  # pg_isready answered
        recovered = {p.name: wait_until(lambda p=p: p.samples and p.samples[-1][2] == 200 and p.samples[-1][0] > back_at,
                                        15) for p in probes}
        time.sleep(1)
    finally:
        for probe in probes:
            probe.stop()
    for probe in probes:
        # Requests sent once the stop had taken effect (the first 503) and before the restart began.
        during = [s for s in probe.between(stopped_at, restart_at)]
        first_503 = next((s[0] for s in during if s[2] == 503), None)
        down = [s for s in during if first_503 is not None and s[0] >= first_503]
        latencies = [s[1] for s in down]
        result.figures[probe.name] = {
            "statuses_during_outage": statuses(down),
            "answer_p99_ms": ms(percentile(latencies, 0.99)), "answer_max_ms": ms(max(latencies, default=None)),
            "time_to_first_503_ms": ms(first_503 - stopped_at if first_503 else None),
            "recovered_after_start_s": None if recovered[probe.name] is None else round(recovered[probe.name], 2),
        }
        result.check(f"{probe.name}: 503 during the outage", down and all(s[2] == 503 for s in down),
                     statuses(down))
        result.check(f"{probe.name}: answered in < 100 ms while down", latencies and max(latencies) < 0.1,
                     f"max {ms(max(latencies, default=0))} ms")
        result.check(f"{probe.name}: full service within 5 s of Postgres being back",
                     recovered[probe.name] is not None and recovered[probe.name] <= 5, recovered[probe.name])
        result.check(f"{probe.name}: no 500", no_500(probe.samples))
    retry_after = request(server.port, "GET", "/health")  # the server itself never went away
    result.check("the process kept running (same pid, /health 200)", server.proc.poll() is None and
                 retry_after[0] == 200)
    acknowledged = [s for s in probes[2].samples if s[2] == 200]
    server.stop()
    result.figures["webhooks_acknowledged"] = len(acknowledged)
    result.behaviour = ("/ready and every database route answer 503 `service_unavailable` with Retry-After, the "
                        "webhook 503 too (Meta retries); the pool reconnects by itself when Postgres is back")
    return result


# ---------------------------------------------------------------------------------------------------------------
def postgres_lock(run_dir, short):
    """A lock held on a hot table: its requests 503 at their deadline; other routes keep their connections."""
    result = Result("postgres_lock", "ACCESS EXCLUSIVE lock held on `conversations` while list reads hammer it")
    db = Database("pglock")
    server = Server(db, run_dir, env={"DB_STATEMENT_TIMEOUT_MS": "2000"})
    bearer = "Bearer " + token()
    hold = 4 if short else 10
    locker = threading.Thread(target=lambda: db.execute(
        f"BEGIN; LOCK TABLE conversations IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep({hold}); COMMIT;"), daemon=True)
    others = [Probe("accounts", lambda: server.port, "GET", "/accounts", headers={"Authorization": bearer}),
              Probe("templates", lambda: server.port, "GET", f"/accounts/{db.account_id}/templates",
                    headers={"Authorization": bearer})]
    for probe in others:
        probe.start()
    scenario = write_scenario(run_dir, "lists", [{
        "name": "conversations", "path": f"/accounts/{db.account_id}/conversations?limit=20",
        "headers": {"Authorization": bearer}}])
    time.sleep(1)
    load = Loadgen(run_dir, server.port, scenario, rate=200, duration=hold + 2, connections=64)
    time.sleep(0.5)
    locked_at = time.time()
    locker.start()
    locker.join(hold + 30)
    released_at = time.time()
    report = load.result()
    time.sleep(0.5)
    for probe in others:
        probe.stop()
    lists = report["endpoints"]["conversations"]
    result.figures["conversations"] = {"statuses": lists["status"], "latency_ms": lists["latency_ms"]}
    result.check("locked reads: only 200 or 503, never 500", set(lists["status"]) <= {"200", "503"}, lists["status"])
    result.check("locked reads: answered by their deadline (2 s statement timeout + margin)",
                 lists["latency_ms"]["max"] < 3000, lists["latency_ms"]["max"])
    for probe in others:
        during = probe.between(locked_at + 0.2, released_at)
        latencies = [s[1] for s in during]
        result.figures[probe.name] = {"statuses": statuses(during), "p99_ms": ms(percentile(latencies, 0.99)),
                                      "max_ms": ms(max(latencies, default=None))}
        result.check(f"{probe.name} (another table) still 200 during the lock", during and
                     all(s[2] == 200 for s in during), statuses(during))
        result.check(f"{probe.name} p99 < 100 ms during the lock", latencies and percentile(latencies, 0.99) < 0.1,
                     ms(percentile(latencies, 0.99)))
    server.stop()
    result.behaviour = ("reads of the locked table wait in their own lane (a repository may hold all but one "
                        "connection), then answer 503 at the acquire or statement deadline; other routes keep "
                        "a connection")
    return result


# ---------------------------------------------------------------------------------------------------------------
# ---------------------------------------------------------------------------------------------------------------
def redis_kill(run_dir, short):
    """Redis killed under read load: no 5xx, no read waits for Redis, p99 within 2x the Redis-up run (optimised
    builds), hits resume when it is back."""
    result = Result("redis_kill", "Redis SIGKILLed under read load, then started again")
    db = Database("redis")
    server = Server(db, run_dir)
    bearer = "Bearer " + token()
    ids = db.values("SELECT id FROM conversations")
    ids_path = os.path.join(run_dir, f"conversation_ids-{uuid.uuid4().hex[:6]}.txt")
    with open(ids_path, "w") as f:
        f.write("\n".join(ids) + "\n")
    scenario = os.path.join(run_dir, f"reads-{uuid.uuid4().hex[:6]}.json")
    with open(scenario, "w") as f:
        json.dump({"name": "reads", "id_lists": {"conversation_id": ids_path}, "requests": [
            {"name": "conversation", "weight": 3, "path": "/conversations/{{conversation_id}}",
             "headers": {"Authorization": bearer}},
            {"name": "messages", "path": "/conversations/{{conversation_id}}/messages?limit=20",
             "headers": {"Authorization": bearer}}]}, f)
    seconds, rate = (5, 300) if short else (20, 1000)
    Loadgen(run_dir, server.port, scenario, rate=rate, duration=2).result()  # warm the cache
    up = Loadgen(run_dir, server.port, scenario, rate=rate, duration=seconds, name="redis-up").result()
    Redis.kill()
    # Webhooks name their account by phone number id, a lookup the account directory keeps in Redis: while Redis
    # is down it must come from Postgres, and every delivery must still be stored.
    down_wamids = [f"wamid.redis.down.{uuid.uuid4().hex[:8]}.{i}" for i in range(5)]
    for wamid in down_wamids:
        body = delivery("text_message.json", wamid)
        request(server.port, "POST", "/webhook/whatsapp", body=body, headers=signed_headers(body))
    down = Loadgen(run_dir, server.port, scenario, rate=rate, duration=seconds, name="redis-down").result()
    account_hits = '{cache="account",backend="redis",result="hit"}'
    hits_before = server.metric("inbox_cache_requests_total", account_hits)
    Redis.start()

    def webhook_hits_redis():
        body = delivery("text_message.json", f"wamid.redis.up.{uuid.uuid4().hex[:8]}")
        request(server.port, "POST", "/webhook/whatsapp", body=body, headers=signed_headers(body))
        return server.metric("inbox_cache_requests_total", account_hits) > hits_before

    resumed = wait_until(webhook_hits_redis, 10, interval=0.2)
    quoted = ",".join(f"'{wamid}'" for wamid in down_wamids)
    stored_down = wait_until(lambda: db.value(f"SELECT count(*) FROM messages WHERE wa_message_id IN ({quoted})")
                             == str(len(down_wamids)), 10)
    server.stop()
    for label, report in (("redis_up", up), ("redis_down", down)):
        overall = report["overall"]
        result.figures[label] = {"achieved_rate": overall["achieved_rate"], "statuses": overall["status"],
                                 "p50_ms": overall["latency_ms"]["p50"], "p99_ms": overall["latency_ms"]["p99"]}
    bad = {k: v for k, v in down["overall"]["status"].items() if not k.startswith("2")}
    result.check("no 5xx (nor any non-2xx) with Redis down", not bad, bad)
    result.check("no transport errors with Redis down", not any(down["overall"]["errors"].values()),
                 down["overall"]["errors"])
    p99_up, p99_down = up["overall"]["latency_ms"]["p99"], down["overall"]["latency_ms"]["p99"]
    result.figures["p99_ratio"] = round(p99_down / p99_up, 2) if p99_up else None
    # Whatever the build, no read may wait out a Redis timeout: a dead Redis answers at once (back-off).
    result.check(f"p99 with Redis down below one Redis timeout ({REDIS_TIMEOUT_MS} ms)",
                 p99_down < REDIS_TIMEOUT_MS, f"{p99_down} ms")
    if SANITIZED:
        # Under ASan a Postgres read costs several times a cache hit more than it does optimised, and the generator
        # shares the 2 cores: the ratio measures the sanitizer (2.31 in one CI run, 1.07 optimised). Recorded here,
        # asserted on optimised builds (docs/RELIABILITY.md).
        result.figures["p99_ratio_check"] = "recorded, not asserted: sanitizer build"
    else:
        result.check("p99 with Redis down at most 2x the Redis-up run", p99_down <= 2 * p99_up,
                     f"{p99_down} vs {p99_up}")
    result.check("webhooks delivered while Redis was down are all stored", stored_down is not None,
                 f"{len(down_wamids)} delivered")
    result.figures["hits_resume_after_s"] = None if resumed is None else round(resumed, 2)
    result.check("account cache hits resume after Redis is back", resumed is not None, resumed)
    result.behaviour = ("conversation and message reads never ask Redis (they are exact, from Postgres); every "
                        "cache error is a miss (100 ms timeout, then a 1 s back-off without calling Redis), so "
                        "webhooks find their account in Postgres")
    return result
