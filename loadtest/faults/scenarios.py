"""The fault scenarios: each injects one fault into real processes under load, measures what clients saw, and
checks the invariants (nothing acknowledged lost, nothing duplicated, no 500). Each answers a Result.

`short` runs are the CI versions (seconds); full runs hold each phase longer.
"""
import json
import os
import signal
import threading
import time
import uuid

from harness import (SANITIZED, Database, FakeGraph, Loadgen, Postgres, Probe, Redis, Server, USER, delivery,
                     percentile, request, signed_headers, statuses, token, wait_until, ROOT)

# The server's Redis connect/read/write timeout (RedisConnectionPool::Options::timeout).
REDIS_TIMEOUT_MS = 100


class Result:
    def __init__(self, name, fault):
        self.name, self.fault = name, fault
        self.figures = {}   # what was measured, for the report
        self.checks = []    # (description, passed, detail)
        self.behaviour = ""

    def check(self, description, passed, detail=""):
        self.checks.append((description, bool(passed), detail))

    @property
    def passed(self):
        return all(passed for _, passed, _ in self.checks)

    def as_dict(self):
        return {"name": self.name, "fault": self.fault, "behaviour": self.behaviour, "figures": self.figures,
                "checks": [{"check": d, "passed": p, "detail": x} for d, p, x in self.checks], "passed": self.passed}


def ms(seconds):
    return None if seconds is None else round(seconds * 1000, 1)


def no_500(samples):
    return all(status != 500 for _, _, status in samples)


# ---------------------------------------------------------------------------------------------------------------
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


def write_scenario(run_dir, name, requests):
    path = os.path.join(run_dir, f"{name}-{uuid.uuid4().hex[:6]}.json")
    with open(path, "w") as f:
        json.dump({"name": name, "requests": requests}, f)
    return path


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


# ---------------------------------------------------------------------------------------------------------------
def graph_outage(run_dir, short, mode):
    """The Graph API failing (5xx) or hanging: breakers open, sends answer 503 fast, media jobs back off and
    complete after recovery."""
    fault = {"outage": {"status": 500}, "hang": {"mode": "hang"}}[mode]
    result = Result(f"graph_{mode}", f"Graph API {'answering 500' if mode == 'outage' else 'hanging'} for every call, "
                                     "then recovering")
    db = Database("graph" + mode)
    graph = FakeGraph(run_dir)
    server = Server(db, run_dir, graph=graph, env={"GRAPH_TIMEOUT_MS": "1000", "SEND_RATE_PER_NUMBER": "1000",
                                                   "GRAPH_BREAKER_OPEN_MS": "3000" if short else "30000"})
    bearer = {"Authorization": "Bearer " + token(), "Content-Type": "application/json"}
    conversation = db.value("SELECT id FROM conversations WHERE last_inbound_at > now() - interval '20 hours' "
                            "ORDER BY id LIMIT 1")
    graph.control("knobs", {"families": {"*": {"failure": fault}}})
    # Media arriving during the outage: their download jobs must back off and complete later.
    media_ids = [f"faults-media-{mode}-{i}" for i in range(3)]
    for i, media_id in enumerate(media_ids):
        body = delivery("image_message.json", f"wamid.graph.{mode}.{i}", media_id=media_id)
        request(server.port, "POST", "/webhook/whatsapp", body=body, headers=signed_headers(body))
    sends = []
    for i in range(12):
        started = time.time()
        status, headers, _ = request(server.port, "POST", "/messages/send", headers=bearer,
                                     body=json.dumps({"conversation_id": conversation, "text": f"outage {i}"}))
        sends.append((time.time() - started, status, headers.get("Retry-After")))
    calls_open = graph.family_requests("messages")
    time.sleep(0.5)
    more = [request(server.port, "POST", "/messages/send", headers=bearer,
                    body=json.dumps({"conversation_id": conversation, "text": f"open {i}"}))[0] for i in range(5)]
    calls_after = graph.family_requests("messages")
    graph.control("knobs", {"families": {"*": {"failure": None}}})
    recovered = wait_until(lambda: request(server.port, "POST", "/messages/send", headers=bearer, body=json.dumps(
        {"conversation_id": conversation, "text": "after recovery"}))[0] == 201, 60, interval=1)
    stored = wait_until(lambda: db.value(
        "SELECT count(*) FROM messages WHERE media_id LIKE 'faults-media-%' AND media_state = 'stored'") == "3",
        90, interval=0.5)
    server.stop()
    graph.stop()
    fast = [latency for latency, status, _ in sends[5:]]
    result.figures.update({
        "sends_statuses": {str(s): sum(1 for _, x, _ in sends if x == s) for s in {x for _, x, _ in sends}},
        "first_send_ms": ms(sends[0][0]), "send_p99_once_open_ms": ms(percentile(fast, 0.99)),
        "graph_calls_while_open": calls_after - calls_open,
        "send_recovered_after_s": None if recovered is None else round(recovered, 1),
        "media_stored_after_recovery_s": None if stored is None else round(stored, 1),
    })
    result.check("every send during the fault is 503 with a whole-seconds Retry-After",
                 all(status == 503 and (retry or "").isdigit() for _, status, retry in sends), sends)
    result.check("once the breaker is open, sends answer in < 50 ms", fast and max(fast) < 0.05, ms(max(fast)))
    result.check("an open breaker calls Graph no more", calls_after == calls_open and all(s == 503 for s in more),
                 f"{calls_after - calls_open} calls")
    result.check("sends succeed again after recovery (half-open probe)", recovered is not None, recovered)
    result.check("media queued during the fault are all stored after recovery", stored is not None, stored)
    result.behaviour = ("the `messages` breaker opens after 5 consecutive failures (timeouts at 1 s for a hang) and "
                        "answers 503 `upstream_unavailable` without calling Graph; media jobs are postponed (no attempt spent) until it answers")
    return result


# ---------------------------------------------------------------------------------------------------------------
def sigterm_under_load(run_dir, short):
    """SIGTERM while requests are in flight: every request already sent is answered, exit within 10 s."""
    result = Result("sigterm", "SIGTERM under load (reads + slow sends in flight)")
    db = Database("sigterm")
    graph = FakeGraph(run_dir, latency_ms=800)
    server = Server(db, run_dir, graph=graph, env={"SEND_RATE_PER_NUMBER": "1000"})
    bearer = {"Authorization": "Bearer " + token(), "Content-Type": "application/json"}
    conversations = db.values("SELECT id FROM conversations WHERE last_inbound_at > now() - interval '20 hours'")
    in_flight = []
    lock = threading.Lock()

    def sender(i):
        sent = time.time()
        status, _, _ = request(server.port, "POST", "/messages/send", headers=bearer, body=json.dumps(
            {"conversation_id": conversations[i % len(conversations)], "text": f"drain {i}"}))
        with lock:
            in_flight.append((sent, status))

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)  # all 20 are waiting on the fake's 800 ms
    signalled = time.time()
    server.signal(signal.SIGTERM)
    code = server.wait(15)
    exited = time.time() - signalled
    for thread in threads:
        thread.join(15)
    server.stop()
    graph.stop()
    answered = [status for sent, status in in_flight if sent < signalled]
    result.figures.update({"in_flight_at_sigterm": len(answered), "statuses": {str(s): answered.count(s) for s in
                                                                               set(answered)},
                           "exit_after_s": round(exited, 2), "exit_code": code})
    result.check("every in-flight send answered 201", answered and all(s == 201 for s in answered), answered)
    result.check("exit 0 within 10 s", code == 0 and exited <= 10, f"code {code} after {exited:.2f}s")
    result.behaviour = "drain: the listener closes, idle connections close, in-flight requests finish, exit 0"
    return result


def rolling_restart(run_dir, short):
    """Two instances behind a round-robin client that moves on when a connection is refused: restart one, then
    the other, under steady requests; no request is lost."""
    result = Result("rolling_restart", "rolling restart (SIGTERM + start) of two instances behind a round-robin client")
    db = Database("rolling")
    servers = [Server(db, run_dir, name="a"), Server(db, run_dir, name="b")]
    bearer = {"Authorization": "Bearer " + token()}
    outcomes, errors = [], []
    stop = threading.Event()

    def client():
        turn = 0
        while not stop.is_set():
            for attempt in range(4):  # the balancer's retry: another instance when this one refuses the connection
                port = servers[(turn + attempt) % 2].port
                status, _, body = request(port, "GET", f"/accounts/{db.account_id}/conversations?limit=10",
                                          headers=bearer)
                if status != 0 or "Refused" not in body:
                    break
            outcomes.append(status)
            if status != 200:
                errors.append(f"{status} {body[:120]} at {time.time() - began:.2f} s on :{port}")
            turn += 1
            time.sleep(0.005)

    began = time.time()
    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    for index in (0, 1):
        old = servers[index]
        old.signal(signal.SIGTERM)
        old.wait(12)
        old.stop()
        servers[index] = Server(db, run_dir, name="ab"[index] + "2")
        time.sleep(1 if short else 3)
    stop.set()
    for thread in threads:
        thread.join(15)
    for server in servers:
        server.stop()
    failed = [s for s in outcomes if s != 200]
    result.figures.update({"requests": len(outcomes), "failed": len(failed), "statuses": {
        str(s): outcomes.count(s) for s in set(outcomes)}})
    result.check("no request lost across the rolling restart", outcomes and not failed, errors[:5])
    result.behaviour = ("a draining instance stops accepting (the client moves to the other) and finishes what it "
                        "accepted")
    return result


# ---------------------------------------------------------------------------------------------------------------
def overload(run_dir, short):
    """Offered load far past capacity: shedding with 503 keeps the answered requests fast, goodput holds."""
    result = Result("overload", "reads offered at 2x what the server can do")
    db = Database("overload")
    server = Server(db, run_dir, env={"MAX_IN_FLIGHT": "64"})
    bearer = "Bearer " + token()
    scenario = write_scenario(run_dir, "overload", [{
        "name": "conversations", "path": f"/accounts/{db.account_id}/conversations?limit=50",
        "headers": {"Authorization": bearer}}])
    seconds = 4 if short else 15
    # Capacity: closed loop with as many connections as the in-flight cap admits, so nothing is shed while measuring.
    probe = Loadgen(run_dir, server.port, scenario, rate=None, duration=3, connections=64, name="capacity").result()
    capacity = probe["overall"]["status"].get("200", 0) / 3
    at_capacity = Loadgen(run_dir, server.port, scenario, rate=int(capacity * 0.8), duration=seconds,
                          connections=128, name="at-capacity").result()
    twice = Loadgen(run_dir, server.port, scenario, rate=int(capacity * 2), duration=seconds, connections=256,
                    name="twice").result()
    shed = server.metric("inbox_http_shed_total")
    server.stop()

    def summary(report):
        overall = report["overall"]
        ok = overall["status"].get("200", 0)
        return {"offered": overall["target_rate"], "goodput": round(ok / seconds), "statuses": overall["status"],
                "p50_ms": overall["latency_ms"]["p50"], "p99_ms": overall["latency_ms"]["p99"],
                "errors": {k: v for k, v in overall["errors"].items() if v}}

    result.figures.update({"capacity_closed_loop": round(capacity), "at_80pct": summary(at_capacity),
                           "at_2x": summary(twice), "shed_total": shed})
    goodput_2x = twice["overall"]["status"].get("200", 0) / seconds
    result.figures["goodput_2x_of_capacity"] = round(goodput_2x / capacity, 2) if capacity else None
    if SANITIZED:
        # Under ASan a 503 costs nearly as much CPU as an answer and the generator competes for the same 2 cores:
        # the ratio is recorded, asserted only for optimised builds (docs/RELIABILITY.md).
        result.figures["goodput_check"] = "recorded, not asserted: sanitizer build"
    else:
        result.check("goodput at 2x offered stays >= 70 % of capacity", goodput_2x >= 0.7 * capacity,
                     f"{goodput_2x:.0f}/s of {capacity:.0f}/s")
    result.check("excess answered 503 (shed), never 500", "500" not in twice["overall"]["status"] and shed > 0,
                 twice["overall"]["status"])
    result.behaviour = ("requests past MAX_IN_FLIGHT (or while the I/O loop lags > 250 ms) are answered 503 + "
                        "Retry-After at once")
    return result


# ---------------------------------------------------------------------------------------------------------------
def disk_full(run_dir, short):
    """MEDIA_DIR on a 3 MiB tmpfs: downloads past it fail cleanly and retry, nothing partial is served, the server
    keeps answering; with room again the downloads complete."""
    result = Result("disk_full", "MEDIA_DIR full (a 3 MiB tmpfs) while 1 MiB media are downloaded")
    mount = os.path.join(run_dir, f"media-tmpfs-{uuid.uuid4().hex[:6]}")
    os.makedirs(mount)
    from harness import sh
    sh(f"mount -t tmpfs -o size=3m tmpfs '{mount}'")
    try:
        db = Database("disk")
        graph = FakeGraph(run_dir)
        graph.control("knobs", {"media_defaults": {"size": 1048576}})
        server = Server(db, run_dir, graph=graph, env={"MEDIA_DIR": mount})
        bearer = {"Authorization": "Bearer " + token()}
        ids = []
        for i in range(6):
            body = delivery("image_message.json", f"wamid.disk.{i}", media_id=f"faults-disk-{i}")
            request(server.port, "POST", "/webhook/whatsapp", body=body, headers=signed_headers(body))
        wait_until(lambda: db.value("SELECT count(*) FROM messages WHERE media_id LIKE 'faults-disk-%'") == "6", 10)
        ids = db.values("SELECT id FROM messages WHERE media_id LIKE 'faults-disk-%' ORDER BY wa_message_id")
        time.sleep(4)
        answers = [request(server.port, "GET", f"/messages/media/{i}", headers=bearer)[0] for i in ids]
        health = request(server.port, "GET", "/health")[0]
        lists = request(server.port, "GET", f"/accounts/{db.account_id}/conversations", headers=bearer)[0]
        stored_while_full = int(db.value("SELECT count(*) FROM messages WHERE media_id LIKE 'faults-disk-%' "
                                         "AND media_state = 'stored'"))
        # Every stored file is whole: the name is its SHA-256.
        import hashlib
        partial = []
        for folder, _, files in os.walk(mount):
            for name in files:
                if len(name) == 64:
                    with open(os.path.join(folder, name), "rb") as f:
                        if hashlib.sha256(f.read()).hexdigest() != name:
                            partial.append(name)
        sh(f"mount -o remount,size=64m '{mount}'")
        completed = wait_until(lambda: db.value("SELECT count(*) FROM messages WHERE media_id LIKE 'faults-disk-%' "
                                                "AND media_state = 'stored'") == "6", 60, interval=0.5)
        server.stop()
        graph.stop()
    finally:
        sh(f"umount '{mount}'", check=False)
    result.figures.update({"stored_while_full": stored_while_full, "media_answers_while_full": answers,
                           "completed_after_room_s": None if completed is None else round(completed, 1)})
    result.check("the disk filled: not every download could be stored", stored_while_full < 6, stored_while_full)
    result.check("media not stored answer 202 (retrying), never 5xx", all(s in (202, 302) for s in answers), answers)
    result.check("the server kept answering (/health, lists)", health == 200 and lists == 200, (health, lists))
    result.check("no partial file in the store", not partial, partial)
    result.check("with room again every download completes", completed is not None, completed)
    result.behaviour = ("a download that cannot be written is postponed (temp file removed, no attempt spent) and "
                        "tried again in 5-60 s; the store only ever renames whole, verified files into place")
    return result


# ---------------------------------------------------------------------------------------------------------------
def sigkill_mixed(run_dir, short):
    """SIGKILL with webhooks, sends and media downloads in flight; after a restart every acknowledged webhook
    exists once, no send reached Meta twice, every queued download completes."""
    result = Result("sigkill_mixed", "SIGKILL during webhooks, sends and media downloads, then a restart")
    db = Database("sigkill")
    graph = FakeGraph(run_dir, latency_ms=100)
    env = {"SEND_RATE_PER_NUMBER": "1000"}
    server = Server(db, run_dir, graph=graph, env=env)
    bearer = {"Authorization": "Bearer " + token(), "Content-Type": "application/json"}
    conversations = db.values("SELECT id FROM conversations WHERE last_inbound_at > now() - interval '20 hours'")
    acknowledged, sent_ok, stop = [], [], threading.Event()
    counter = iter(range(10**9))
    lock = threading.Lock()

    def webhooks():
        while not stop.is_set():
            n = next(counter)
            kind = "image_message.json" if n % 4 == 0 else "text_message.json"
            wamid = f"wamid.kill.{n}"
            body = delivery(kind, wamid, sender=f"1650555{n % 50:04d}",
                            media_id=f"faults-kill-{n}" if kind.startswith("image") else None)
            if request(server.port, "POST", "/webhook/whatsapp", body=body, headers=signed_headers(body))[0] == 200:
                with lock:
                    acknowledged.append(wamid)

    def sends():
        while not stop.is_set():
            n = next(counter)
            text = f"kill send {n}"
            status, _, _ = request(server.port, "POST", "/messages/send", headers=dict(
                bearer, **{"Idempotency-Key": f"kill-{n}"}), body=json.dumps(
                {"conversation_id": conversations[n % len(conversations)], "text": text}))
            if status == 201:
                with lock:
                    sent_ok.append(text)

    workers = [threading.Thread(target=webhooks) for _ in range(3)] + [threading.Thread(target=sends)
                                                                      for _ in range(3)]
    for worker in workers:
        worker.start()
    time.sleep(2 if short else 6)
    server.signal(signal.SIGKILL)
    server.wait(5)
    stop.set()
    for worker in workers:
        worker.join(15)
    killed_log = server.output()
    server.stop()
    restarted = Server(db, run_dir, graph=graph, env=env, name="restarted")
    processed = wait_until(lambda: db.value("SELECT count(*) FROM webhook_events WHERE status IN "
                                            "('pending','processing')") == "0", 30)
    downloads = wait_until(lambda: db.value("SELECT count(*) FROM messages WHERE media_id LIKE 'faults-kill-%' "
                                            "AND media_state <> 'stored'") == "0", 60, interval=0.5)
    stored = dict(line.split("|") for line in db.values(
        "SELECT wa_message_id, count(*) FROM messages WHERE wa_message_id LIKE 'wamid.kill.%' GROUP BY 1"))
    missing = [w for w in acknowledged if stored.get(w) != "1"]
    texts = [r.get("json", {}).get("text", {}).get("body") for r in graph.requests("messages")]
    duplicated = sorted({t for t in texts if t and texts.count(t) > 1})
    recorded = dict(line.split("|") for line in db.values(
        "SELECT body, count(*) FROM messages WHERE body LIKE 'kill send %' AND status <> 'pending' GROUP BY 1"))
    unrecorded = [t for t in sent_ok if recorded.get(t) != "1"]
    restarted.stop()
    graph.stop()
    result.figures.update({
        "webhooks_acknowledged": len(acknowledged), "sends_answered_201": len(sent_ok),
        "sends_reaching_meta": len(texts), "processed_after_restart_s": None if processed is None else round(processed, 2),
        "downloads_done_after_restart_s": None if downloads is None else round(downloads, 1),
        "media_messages": int(db.value("SELECT count(*) FROM messages WHERE media_id LIKE 'faults-kill-%'")),
    })
    result.check("every acknowledged webhook exists exactly once", acknowledged and not missing, missing[:5])
    result.check("processed within 5 s of the restart", processed is not None and processed <= 5, processed)
    result.check("no send reached Meta twice", not duplicated, duplicated[:5])
    result.check("every 201 send is recorded once", not unrecorded, unrecorded[:5])
    result.check("every queued media download completes", downloads is not None, downloads)
    result.check("the killed server logged no crash of its own before the kill", "AddressSanitizer" not in killed_log)
    result.behaviour = ("acknowledged webhooks were committed before their 200; the dead instance's claims are "
                        "taken over at once; sends in flight stay `pending` (resolved after 3 min, never resent)")
    return result


SCENARIOS = {
    "postgres_stop": postgres_stop,
    "postgres_lock": postgres_lock,
    "redis_kill": redis_kill,
    "graph_outage": lambda run_dir, short: graph_outage(run_dir, short, "outage"),
    "graph_hang": lambda run_dir, short: graph_outage(run_dir, short, "hang"),
    "sigterm": sigterm_under_load,
    "rolling_restart": rolling_restart,
    "overload": overload,
    "disk_full": disk_full,
    "sigkill_mixed": sigkill_mixed,
}
