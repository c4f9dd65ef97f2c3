"""Faults of the Graph API: failing or hanging, behind the circuit breakers."""
import json
import time

from harness import (Database, FakeGraph, Server, delivery, percentile, request, signed_headers, token, wait_until)
from result import Result, ms


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
