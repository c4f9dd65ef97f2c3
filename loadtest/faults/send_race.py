"""Issue #25's race as a fault scenario: 32 senders (texts, replies quoting a message, media sends of one upload,
template sends with every kind of parameter, and reactions) and bursts of inbound webhooks on the same 8
conversations,
Meta's status webhooks racing the record of each send (some posted before its answer), while Postgres is
restarted and Redis killed. Nothing may be sent twice, refused without a fault, lost, parked or left undelivered.
"""
import json
import threading
import time

from harness import (APP_SECRET, Database, FakeGraph, Postgres, Redis, Server, delivery, request, signed_headers,
                     token, wait_until)
from result import Result

SENDERS = 32
CONVERSATIONS = 8
WEBHOOK_THREADS = 4
# How long one send may keep being retried under its key (through a Postgres restart) before the client gives up.
GIVE_UP_AFTER_S = 30


class Workers:
    """Threads running `run` until finish(): each ends its current step first (a send its retries, a burst)."""

    def __init__(self, count):
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.counter = iter(range(10**9))
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(count)]

    def next_number(self):
        with self.lock:
            return next(self.counter)

    def start(self):
        for thread in self.threads:
            thread.start()

    def finish(self, timeout):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout)


class Senders(Workers):
    """32 agents sending as fast as they are answered; each send is retried under its own Idempotency-Key on 503
    (or no answer) until it gets 201 or 200, as a client following Retry-After would."""

    def __init__(self, port, targets, upload_id, quotes):
        self.port, self.targets, self.upload_id, self.quotes = port, targets, upload_id, quotes
        self.headers = {"Authorization": "Bearer " + token(), "Content-Type": "application/json"}
        self.replies = {}  # text -> the wamid its reply_to names
        self.answers = {}  # key -> [(sent_at, answered_at, status)]
        self.texts = {}    # key -> text
        self.refusals = []  # (sent_at, answered_at, status, body) of every answer but 200/201
        self.reactions = []  # (sent_at, answered_at, status, target wamid, emoji)
        super().__init__(SENDERS)

    def run(self):
        while not self.stop.is_set():
            n = self.next_number()
            key, text = f"race-{n}", f"race send {n}"
            conversation_id = self.targets[n % len(self.targets)][0]
            # Every 4th send is the upload as a document (the text its caption), every 4th a reply.
            # Every 8th step a reaction on the customer's message instead of a send.
            if n % 8 == 7:
                self.react(n, conversation_id)
                continue
            fields = {"conversation_id": conversation_id, "text": text}
            route = "/messages/send"
            if n % 4 == 1:
                fields = {"conversation_id": conversation_id, "upload_id": self.upload_id, "caption": text}
            elif n % 4 == 2:
                message_id, wamid = self.quotes[conversation_id]
                fields["reply_to"] = message_id
                with self.lock:
                    self.replies[text] = wamid
            elif n % 8 == 3:
                # The seed's order_update: header text, two body values (the first one the text), a URL button.
                route = "/messages/send-template"
                fields = {"conversation_id": conversation_id, "template": {
                    "name": "order_update", "language": "en_US", "header": {"text": f"#{n}"},
                    "body": [text, f"#{n}"], "buttons": [{"index": 0, "text": str(n)}]}}
            body = json.dumps(fields)
            answers = []
            with self.lock:
                self.answers[key], self.texts[key] = answers, text
            started = time.time()
            while time.time() - started < GIVE_UP_AFTER_S:
                sent = time.time()
                status, headers, text = request(self.port, "POST", route, body=body,
                                                headers=dict(self.headers, **{"Idempotency-Key": key}))
                answers.append((sent, time.time(), status))
                if status not in (200, 201):
                    with self.lock:
                        self.refusals.append((sent, time.time(), status, text[:200]))
                if status in (200, 201) or (400 <= status < 500 and status != 429) or status == 500:
                    break
                time.sleep(min(float(headers.get("Retry-After", "0.2") or 0.2), 1.0))


    def react(self, n, conversation_id):
        """A reaction (no Idempotency-Key: the same emoji again changes nothing), retried on 503 like a send."""
        message_id, wamid = self.quotes[conversation_id]
        emoji = ["👍", "❤️", "🙏"][n % 3]
        body = json.dumps({"emoji": emoji})
        started = time.time()
        while time.time() - started < GIVE_UP_AFTER_S:
            sent = time.time()
            status, headers, text = request(self.port, "POST", f"/messages/{message_id}/reactions", body=body,
                                            headers=self.headers)
            with self.lock:
                self.reactions.append((sent, time.time(), status, wamid, emoji))
                if status != 200:
                    self.refusals.append((sent, time.time(), status, text[:200]))
            if status == 200 or (400 <= status < 500 and status != 429) or status == 500:
                return
            time.sleep(min(float(headers.get("Retry-After", "0.2") or 0.2), 1.0))


class Customers(Workers):
    """Inbound messages from the same conversations' customers, in bursts of 20."""

    def __init__(self, port, targets):
        self.port, self.targets = port, targets
        self.acknowledged, self.answers = [], []  # answers: (sent_at, answered_at, status)
        super().__init__(WEBHOOK_THREADS)

    def run(self):
        while not self.stop.is_set():
            for _ in range(20):
                n = self.next_number()
                wamid = f"wamid.race.in.{n}"
                body = delivery("text_message.json", wamid, sender=self.targets[n % len(self.targets)][1])
                sent = time.time()
                status = request(self.port, "POST", "/webhook/whatsapp", body=body, headers=signed_headers(body))[0]
                with self.lock:
                    self.answers.append((sent, time.time(), status))
                    if status == 200:
                        self.acknowledged.append(wamid)
            self.stop.wait(0.2)


def count(values):
    counts = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def faults_timeline(short):
    """(seconds of load before, fault) steps; the fault windows are recorded as they happen."""
    if short:
        return [(4, "postgres_restart"), (3, "redis_kill"), (3, None)]
    return [(15, "postgres_restart"), (12, "redis_kill"), (12, "postgres_restart"), (12, "redis_kill"), (12, None)]


def inject(fault, windows):
    started = time.time()
    if fault == "postgres_restart":
        Postgres.stop()
        time.sleep(2)
        Postgres.start()
        # Connections come back within the pool's reconnect delay: 2 s more count as part of the fault.
        windows.append((started, time.time() + 2))
    elif fault == "redis_kill":
        Redis.kill()
        time.sleep(3)
        Redis.start()
        windows.append((started, time.time()))


def send_race(run_dir, short):
    result = Result("send_race", "32 senders racing inbound and status webhooks on 8 conversations, with a Postgres "
                                 "restart and a Redis kill")
    db = Database("race")
    graph = FakeGraph(run_dir, latency_ms=20)
    server = Server(db, run_dir, graph=graph, env={"SEND_RATE_PER_NUMBER": "10000"})
    graph.control("knobs", {"record_limit": 1000000, "webhooks": {
        "url": f"http://127.0.0.1:{server.port}/webhook/whatsapp", "app_secret": APP_SECRET,
        "before_answer_rate": 0.3, "after_delay_ms": 0}})
    targets = [tuple(row.split("|")) for row in db.values(
        "SELECT cv.id, ct.wa_id FROM conversations cv JOIN contacts ct ON ct.id = cv.contact_id "
        f"WHERE cv.last_inbound_at > now() - interval '20 hours' ORDER BY cv.id LIMIT {CONVERSATIONS}")]
    quoted_in = ",".join(f"'{conversation_id}'" for conversation_id, _ in targets)
    quotes = {row.split("|")[0]: tuple(row.split("|")[1:]) for row in db.values(
        "SELECT DISTINCT ON (conversation_id) conversation_id, id, wa_message_id FROM messages "
        f"WHERE conversation_id IN ({quoted_in}) AND direction = 'inbound' ORDER BY conversation_id, timestamp DESC")}
    status, _, text = request(server.port, "POST", f"/accounts/{db.account_id}/uploads?filename=catalogue.pdf",
                              body=b"%PDF-1.7\n" + b"c" * 20000,
                              headers={"Authorization": "Bearer " + token(), "Content-Type": "application/pdf"})
    if status != 201:
        raise RuntimeError(f"the upload for the media sends failed: {status} {text[:200]}")
    upload_id = json.loads(text)["upload"]["id"]
    senders = Senders(server.port, targets, upload_id, quotes)
    customers = Customers(server.port, targets)
    windows, began = [], time.time()
    senders.start()
    customers.start()
    try:
        for seconds, fault in faults_timeline(short):
            time.sleep(seconds)
            inject(fault, windows)
    finally:
        senders.finish(GIVE_UP_AFTER_S + 15)
        customers.finish(15)
    load_seconds = time.time() - began
    sent_texts = {senders.texts[k] for k, a in senders.answers.items() if a and a[-1][2] in (200, 201)}
    # A template send stores its filled body: "Hi race send N, your order #N has shipped."
    ours = "(body LIKE 'race send %' OR body LIKE 'Hi race send %')"
    sent_text = "coalesce(substring(body from '^Hi (race send [0-9]+),'), body)"
    delivered = wait_until(lambda: db.value(
        f"SELECT count(*) FROM messages WHERE {ours} AND status NOT IN ('delivered', 'read')") == "0",
        30, interval=0.5)
    processed = wait_until(lambda: db.value(
        "SELECT count(*) FROM webhook_events WHERE status IN ('pending', 'processing')") == "0", 30, interval=0.5)
    exhausted = server.metric("inbox_db_transaction_retries_exhausted_total")
    retried = server.metric("inbox_db_transaction_retries_total")
    server_log = server.output()
    server.stop()

    def in_fault(sent_at, answered_at):
        """The request was in flight during a fault window (requests under way when it began count too)."""
        return any(sent_at <= end and answered_at >= start for start, end in windows)

    def since_fault(sent_at):
        """Seconds after the end of the latest fault window before `sent_at` (None before the first fault)."""
        ends = [end for _, end in windows if end <= sent_at]
        return round(sent_at - max(ends), 2) if ends else None

    every = [answer for answers in senders.answers.values() for answer in answers]
    unfaulted = [status for sent, answered, status in every if not in_fault(sent, answered)]
    refused_unfaulted = [(since_fault(sent), status, text) for sent, answered, status, text in senders.refusals
                         if not in_fault(sent, answered)]
    webhooks_unfaulted = count(status for sent, answered, status in customers.answers if not in_fault(sent, answered))
    final = {k: a[-1][2] if a else None for k, a in senders.answers.items()}
    created = {k: sum(1 for _, _, s in a if s == 201) for k, a in senders.answers.items()}
    twice = [k for k, n in created.items() if n > 1]
    unresolved = [k for k, status in final.items() if status not in (200, 201)]
    # A key answered 200 without ever getting 201 is fine only when an earlier answer was lost (no answer, 0).
    no_created = [k for k, a in senders.answers.items()
                  if created[k] == 0 and final[k] == 200 and not any(s == 0 for _, _, s in a)]
    graph_sent = graph.requests("messages")
    def text_of(sent):
        """The race text a Graph call carried: a text's body, a caption, or a template's first body value."""
        payload = sent.get("json", {})
        for component in payload.get("template", {}).get("components", []):
            if component.get("type") == "body":
                return component["parameters"][0]["text"]
        return payload.get("text", {}).get("body") or payload.get("document", {}).get("caption")

    graph_counts = count(text_of(r) for r in graph_sent if r.get("json", {}).get("type") != "reaction")
    template_sends = sum(1 for r in graph_sent if r.get("json", {}).get("type") == "template")
    graph_reactions = [r["json"]["reaction"] for r in graph_sent if r.get("json", {}).get("type") == "reaction"]
    reacted = [(wamid, emoji) for _, _, status, wamid, emoji in senders.reactions if status == 200]
    unanswered_reactions = [r for r in senders.reactions if r[2] not in (200, 503, 0)]
    folded = dict(row.split("|") for row in db.values(
        "SELECT m.wa_message_id, r->>'emoji' FROM messages m, jsonb_array_elements(m.reactions) r "
        "WHERE r->>'direction' = 'outbound'"))
    contexts = {r["json"]["text"]["body"]: r["json"].get("context", {}).get("message_id")
                for r in graph_sent if r.get("json", {}).get("text", {}).get("body") in senders.replies}
    wrong_context = sorted(t for t, wamid in senders.replies.items() if t in sent_texts and contexts.get(t) != wamid)
    media_sends = sum(1 for r in graph_sent if r.get("json", {}).get("type") == "document")
    media_uploads = len(graph.requests("media_upload"))
    sent_twice = sorted(t for t, n in graph_counts.items() if t and n > 1)
    never_sent = sorted(t for t in sent_texts if graph_counts.get(t, 0) == 0)
    stored = dict(row.split("|") for row in db.values(
        f"SELECT {sent_text}, count(*) FROM messages WHERE {ours} GROUP BY 1"))
    not_stored_once = sorted(t for t in sent_texts if stored.get(t) != "1")
    not_stored_rows = db.values("SELECT body, direction, status, coalesce(wa_message_id, '-') FROM messages WHERE "
                                "body IN (" + ",".join(f"'{t}'" for t in not_stored_once[:5]) + ")"
                                ) if not_stored_once else []
    inbound = dict(row.split("|") for row in db.values(
        "SELECT wa_message_id, count(*) FROM messages WHERE wa_message_id LIKE 'wamid.race.in.%' GROUP BY 1"))
    lost = [w for w in customers.acknowledged if inbound.get(w) != "1"]
    parked = db.values("SELECT p.wa_message_id, p.status, (SELECT count(*) FROM messages m WHERE m.wa_message_id = "
                       "p.wa_message_id) FROM parked_statuses p ORDER BY p.id LIMIT 5")
    undelivered = db.values(f"SELECT body, status, coalesce(wa_message_id, '-'), send_attempt FROM messages "
                            f"WHERE {ours} AND status NOT IN ('delivered', 'read') LIMIT 5")
    graph_webhooks = graph.control("stats").get("webhooks", {})
    graph.stop()

    all_statuses = count(status for _, _, status in every)
    webhook_statuses = count(status for _, _, status in customers.answers)
    result.figures.update({
        "load_seconds": round(load_seconds, 1), "keys": len(senders.answers), "sends_201": sum(created.values()),
        "send_answers": all_statuses, "refused_outside_faults": len(refused_unfaulted),
        "answers_outside_faults": len(unfaulted), "fault_windows_s": [round(e - s, 1) for s, e in windows],
        "graph_sends": sum(graph_counts.values()), "inbound_webhooks": webhook_statuses,
        "inbound_webhooks_outside_faults": webhooks_unfaulted, "status_webhooks": graph_webhooks,
        "db_retries": retried, "db_retries_exhausted": exhausted, "media_sends": media_sends,
        "media_uploads": media_uploads, "replies": len(senders.replies), "template_sends": template_sends,
        "reactions_200": len(reacted), "graph_reactions": len(graph_reactions),
        "delivered_after_load_s": None if delivered is None else round(delivered, 1),
    })
    result.check("no 500 (sends or webhooks)", 500 not in all_statuses and 500 not in webhook_statuses,
                 {"sends": all_statuses, "webhooks": webhook_statuses})
    result.check("every key ends 201 or 200 (none given up)", not unresolved,
                 [(k, senders.answers[k][-3:]) for k in unresolved[:5]])
    result.check("no key answered 201 twice", not twice, twice[:5])
    result.check("a 200 repeat only after an answer was lost", not no_created,
                 [(k, [(round(a, 2), round(b, 2), st) for a, b, st in senders.answers[k]]) for k in no_created[:5]])
    result.check("Graph saw each message once", not sent_twice and not never_sent,
                 {"twice": sent_twice[:5], "never": never_sent[:5]})
    result.check("each message stored once", not not_stored_once, not_stored_rows)
    result.check("every reply reached Meta with its target's wamid as context", not wrong_context, wrong_context[:5])
    result.check("media sends went by Meta's media id, the upload reused", media_sends > 0 and
                 0 < media_uploads <= SENDERS, {"sends": media_sends, "uploads": media_uploads})
    result.check("template sends reached Meta with their components", template_sends > 0, template_sends)
    # Each answered reaction went to Meta (a 503 may have reached it too: Meta's copy is idempotent), and each
    # reacted message ends with one of our emojis folded on: the last one that Meta accepted.
    result.check("every reaction answered 200 or 503, and each reached Meta", reacted and not unanswered_reactions
                 and len(graph_reactions) >= len(reacted),
                 {"answered": len(reacted), "graph": len(graph_reactions), "other": unanswered_reactions[:3]})
    result.check("reactions folded on their targets", all(folded.get(wamid) in ("👍", "❤️", "🙏")
                                                          for wamid, _ in reacted), list(folded.items())[:3])
    result.check("no send refused outside the fault windows", not refused_unfaulted,
                 f"{len(refused_unfaulted)} of {len(unfaulted)}: {refused_unfaulted[:3]}")
    result.check("no inbound webhook refused outside the fault windows",
                 set(webhooks_unfaulted) <= {200}, webhooks_unfaulted)
    result.check("every acknowledged inbound webhook stored once", customers.acknowledged and not lost, lost[:5])
    result.check("every status webhook attached (none parked)", not parked, parked)
    # Status webhooks refused during a fault come back within Meta's (the fake's) 5 s back-off; one whose processing
    # failed with Postgres away is taken back at the next sweep, not after its 60 s claim.
    result.check("every sent message delivered within 10 s of the load's end", delivered is not None and
                 delivered <= 10, {"after_s": delivered, "undelivered": undelivered})
    result.check("webhook events all processed", processed is not None, processed)
    result.check("no transaction ran out of deadlock/serialization retries", exhausted == 0, exhausted)
    result.check("the server logged no sanitizer error", "runtime error" not in server_log and
                 "AddressSanitizer" not in server_log)
    result.behaviour = ("one lock order (contacts and conversations, then wamid locks, then the message); a send "
                        "Meta accepted is always 201 and recorded attempt-guarded; status webhooks racing the "
                        "record attach by callback data; Postgres outages answer 503 and the same key resends")
    return result
