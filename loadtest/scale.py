"""The scale scenario (issue #15, "many instances as one"): two `whatsapp-inbox serve` instances behind HAProxy on one
Postgres, one Redis and the fake Graph API, all real processes on loopback.

Checks that the instances behave as one server and measures what the second instance buys:
  a. the same webhook delivery posted many times through the proxy (so to both instances), plus a burst of distinct
     ones: exactly one message per wamid, every delivery processed;
  b. check-media called 20 times through the proxy for one conversation: 1 "started", the rest "skipped", one scan
     counted over both instances' /metrics;
  c. an SSE client on instance A, one on instance B and one through the proxy all receive the `message.created` of a
     webhook posted to B, then of one posted to A;
  d. media downloads queued by image webhooks: both instances run jobs, each job runs (and downloads) once;
  e. the Graph `messages` breaker: per instance, visible per instance in /metrics;
  f. closed-loop throughput through the proxy with 1 backend, then 2 (reads, webhooks), plus the proxy's own cost
     (/health direct vs through it). Runs under an exclusive flock on /tmp/bench.lock.

Started by loadtest/scale.sh, which provides Postgres and Redis (PG_URL, REDIS_URL) like loadtest/faults.sh. Reuses
loadtest/faults/harness.py for the processes; the HAProxy configuration is scripts/lib/haproxy.sh's, the one
`scripts/run.sh --instances N` runs. Writes results.md (and results.json) to --out. Exit code 1 when a check failed.
"""
import argparse
import concurrent.futures
import fcntl
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import traceback
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HAPROXY_LIB = os.path.join(ROOT, "scripts", "lib", "haproxy.sh")
HAPROXY_BIN = os.environ.get("HAPROXY_BIN", "/usr/sbin/haproxy")
BENCH_LOCK = "/tmp/bench.lock"
LOAD = {"duration": 10, "warmup": 2, "connections": 64, "health_duration": 5}  # (f), closed loop
H = None  # loadtest/faults/harness.py, imported once INBOX_BUILD_DIR is set (it reads it at import)

# Every instance gets these on top of the harness's environment.
INSTANCE_ENV = {
    # Behind the proxy every connection comes from 127.0.0.1: the per-address cap would cap the whole service.
    # HAProxy applies it per real client address instead (scripts/lib/haproxy.sh).
    "MAX_CONNECTIONS_PER_IP": "100000",
    "SEND_RATE_PER_NUMBER": "1000",   # (e) sends until the breaker opens, never the number's token bucket
    "GRAPH_TIMEOUT_MS": "2000",
}


# --- small helpers ----------------------------------------------------------------------------------------------
class Report:
    def __init__(self):
        self.checks = []    # (part, description, passed, detail)
        self.figures = {}   # part → {name: value}

    def check(self, part, description, passed, detail=""):
        self.checks.append((part, description, bool(passed), detail))
        mark = "ok  " if passed else "FAIL"
        print(f"    {mark} {description}" + ("" if passed else f"  ({str(detail)[:400]})"), flush=True)

    def figure(self, part, name, value):
        self.figures.setdefault(part, {})[name] = value

    @property
    def passed(self):
        return all(p for _, _, p, _ in self.checks)


_METRIC = re.compile(r'^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)')
_LABEL = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"')


def metrics(port):
    """One instance's /metrics as [(name, {label: value}, value)]."""
    status, _, text = H.request(port, "GET", "/metrics")
    if status != 200:
        raise RuntimeError(f"/metrics on port {port}: {status} {text[:200]}")
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = _METRIC.match(line)
        if match:
            labels = dict(_LABEL.findall(match.group(2) or ""))
            samples.append((match.group(1), labels, float(match.group(3))))
    return samples


def metric_sum(port, name, **labels):
    """Sum of the samples of `name` whose labels include `labels` (a callable value is a predicate)."""
    total = 0.0
    for sample_name, sample_labels, value in metrics(port):
        if sample_name != name:
            continue
        if all(key in sample_labels and (want(sample_labels[key]) if callable(want) else sample_labels[key] == want)
               for key, want in labels.items()):
            total += value
    return total


def requests_served(port):
    """Every request this instance answered but /metrics and /ready (the proxy's health checks)."""
    return metric_sum(port, "inbox_http_requests_total", route=lambda r: r not in ("/metrics", "/ready"))


def log_warnings(server, needles):
    """How many lines of an instance's log contain each needle (and the first one), for the report."""
    found = {}
    for line in server.output().splitlines():
        for needle in needles:
            if needle in line:
                entry = found.setdefault(needle, {"lines": 0, "first": line.strip()[:160]})
                entry["lines"] += 1
    return found


def parallel(calls, workers=16):
    """Runs the zero-argument callables concurrently; answers their results in order."""
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda call: call(), calls))


def counts(values):
    out = {}
    for value in values:
        out[str(value)] = out.get(str(value), 0) + 1
    return out


def post_webhook(port, body):
    return H.request(port, "POST", "/webhook/whatsapp", body=body, headers=H.signed_headers(body))[0]


def make_haproxy_class():
    class Haproxy(H.Process):
        """HAProxy with scripts/lib/haproxy.sh's configuration in front of `servers` (harness Servers)."""

        def __init__(self, run_dir, servers, name):
            self.port = H.free_port()
            self.servers = servers
            self.config = os.path.join(run_dir, f"haproxy-{name}.cfg")
            write = subprocess.run(
                ["bash", "-c", 'source "$1" && shift && haproxy_write_config "$@" && haproxy_check_config "$1"',
                 "haproxy-config", HAPROXY_LIB, self.config, "127.0.0.1", str(self.port),
                 *[f"127.0.0.1:{s.port}" for s in servers]], capture_output=True, text=True)
            if write.returncode != 0:
                raise RuntimeError(f"haproxy configuration: {write.stderr.strip()[:1000]}")
            # Ready once it answers through every backend (round robin: one request per backend in turn).
            super().__init__([HAPROXY_BIN, "-db", "-f", self.config], dict(os.environ),
                             os.path.join(run_dir, f"haproxy-{name}.log"),
                             lambda: all(H.request(self.port, "GET", "/health", timeout=1)[0] == 200
                                         for _ in servers))
    return Haproxy


class SseClient(threading.Thread):
    """A raw HTTP/1.1 EventSource: records each event (type, data, arrival time); decodes a chunked body."""

    def __init__(self, port, path, name):
        super().__init__(daemon=True)
        self.name = name
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n"
                          "Cache-Control: no-cache\r\n\r\n".encode())
        self.status = None
        self.text = ""
        self.events = []  # (type, data, at)
        self.lock = threading.Lock()
        self.closed = False

    def run(self):
        raw = b""
        try:
            self.sock.settimeout(None)
            while b"\r\n\r\n" not in raw:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return
                raw += chunk
            head, raw = raw.split(b"\r\n\r\n", 1)
            lines = head.decode(errors="replace").split("\r\n")
            self.status = int(lines[0].split()[1])
            chunked = any(line.lower().replace(" ", "") == "transfer-encoding:chunked" for line in lines[1:])
            pending = ""
            while True:
                body, raw = (self._dechunk(raw) if chunked else (raw, b""))
                if body:
                    pending += body.decode(errors="replace")
                    pending = self._events_of(pending)
                chunk = self.sock.recv(65536)
                if not chunk:
                    return
                raw += chunk
        except OSError:
            return
        finally:
            self.closed = True

    @staticmethod
    def _dechunk(raw):
        """Decodes the complete chunks at the start of raw; answers (body, rest)."""
        body = b""
        while True:
            end = raw.find(b"\r\n")
            if end < 0:
                return body, raw
            size = int(raw[:end].split(b";")[0] or b"0", 16)
            if len(raw) < end + 2 + size + 2:
                return body, raw
            body += raw[end + 2:end + 2 + size]
            raw = raw[end + 2 + size + 2:]
            if size == 0:
                return body, raw

    def _events_of(self, text):
        text = text.replace("\r\n", "\n")
        while "\n\n" in text:
            block, text = text.split("\n\n", 1)
            kind, data = "message", []
            for line in block.split("\n"):
                if line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())
                elif line.startswith(":"):
                    kind, data = "comment", [line[1:].strip()]
            with self.lock:
                self.events.append((kind, "\n".join(data), time.time()))
        return text

    def received(self, kind, needle):
        """Arrival time of the first event of `kind` whose data contains `needle`, or None."""
        with self.lock:
            return next((at for k, data, at in self.events if k == kind and needle in data), None)

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def cpu_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15 of stat)
    except (OSError, IndexError, ValueError):
        return 0


def postgres_pids():
    """The postmaster and its children (backends, walwriter...), from SCALE_PG_DATA's postmaster.pid."""
    data = os.environ.get("SCALE_PG_DATA")
    try:
        with open(os.path.join(data, "postmaster.pid")) as f:
            postmaster = int(f.readline())
    except (TypeError, OSError, ValueError):
        return []
    pids = [postmaster]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == postmaster:
                        pids.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return pids


class CpuSampler:
    """CPU used by groups of processes between two instants, as % of one core."""

    def __init__(self, groups):
        self.groups = groups  # name → callable answering pids

    def sample(self):
        return time.time(), {name: sum(cpu_ticks(pid) for pid in pids()) for name, pids in self.groups.items()}

    @staticmethod
    def percent(first, second):
        seconds = second[0] - first[0]
        hz = os.sysconf("SC_CLK_TCK")
        return {name: round(100.0 * (second[1][name] - first[1][name]) / hz / seconds) for name in first[1]}


def loadgen(run_dir, port, scenario, name, duration, warmup, connections, variables, sampler):
    """inbox-loadgen closed loop; answers its JSON report plus the CPU per process group over the measured window."""
    json_path = os.path.join(run_dir, f"{name}.json")
    args = [H.LOADGEN_BIN, "--target", f"http://127.0.0.1:{port}", "--scenario", scenario, "--closed-loop",
            "--duration", f"{duration}s", "--warmup", f"{warmup}s", "--connections", str(connections),
            "--timeout", "10s", "--json", json_path]
    for key, value in variables.items():
        args += ["--var", f"{key}={value}"]
    samples = []
    with open(json_path + ".log", "w") as log:
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        started = time.time()
        for at in (warmup, warmup + duration):
            time.sleep(max(0.0, started + at - time.time()))
            samples.append(sampler.sample())
        code = proc.wait(duration + warmup + 60)
    if code != 0:
        raise RuntimeError(f"inbox-loadgen {name} exited {code}: see {json_path}.log")
    with open(json_path) as f:
        report = json.load(f)
    report["cpu_percent"] = CpuSampler.percent(*samples)
    report["window"] = (samples[0][0], samples[1][0])
    return report


# --- the parts ----------------------------------------------------------------------------------------------------
def part_a(report, ctx):
    """No duplicated messages: one delivery posted N times through the proxy, plus a burst of distinct ones."""
    db, proxy, servers = ctx["db"], ctx["proxy"], ctx["servers"]
    part = "a. no duplicated messages"
    print(f"==> {part}", flush=True)
    copies, burst = 20, 200
    run = uuid.uuid4().hex[:8]
    same_wamid = f"wamid.scale.a.{run}.same"
    same_body = H.delivery("text_message.json", same_wamid, sender="16505559000")
    before = [metric_sum(s.port, "inbox_http_requests_total", route="/webhook/whatsapp") for s in servers]
    bodies = [same_body] * copies + [
        H.delivery("text_message.json", f"wamid.scale.a.{run}.{i}", sender=f"1650555{9100 + i % 25}")
        for i in range(burst)]
    started = time.time()
    answers = parallel([lambda b=b: post_webhook(proxy.port, b) for b in bodies], workers=24)
    acked = time.time() - started
    per_instance = [metric_sum(s.port, "inbox_http_requests_total", route="/webhook/whatsapp") - b
                    for s, b in zip(servers, before)]
    like = f"%wamid.scale.a.{run}.%"
    done = H.wait_until(lambda: db.value(
        f"SELECT count(*) FROM webhook_events WHERE body LIKE '{like}' AND status IN ('processed', 'ignored')")
        == str(len(bodies)), 30, interval=0.1)
    event_states = dict(line.split("|") for line in db.values(
        f"SELECT status, count(*) FROM webhook_events WHERE body LIKE '{like}' GROUP BY status"))
    duplicated = db.values(f"SELECT wa_message_id || ' x' || count(*) FROM messages WHERE wa_message_id LIKE "
                           f"'wamid.scale.a.{run}.%' GROUP BY wa_message_id HAVING count(*) > 1")
    messages = int(db.value(f"SELECT count(*) FROM messages WHERE wa_message_id LIKE 'wamid.scale.a.{run}.%'"))
    distinct = int(db.value(
        f"SELECT count(DISTINCT wa_message_id) FROM messages WHERE wa_message_id LIKE 'wamid.scale.a.{run}.%'"))
    report.figure(part, "deliveries", f"{copies} copies of one wamid + {burst} distinct")
    report.figure(part, "acknowledged_in_s", round(acked, 2))
    report.figure(part, "webhook_posts_per_instance", [int(x) for x in per_instance])
    report.figure(part, "all_processed_after_s", None if done is None else round(done, 2))
    report.figure(part, "event_states", event_states)
    report.figure(part, "messages_stored", messages)
    report.check(part, f"all {len(bodies)} deliveries answered 200 through the proxy",
                 all(a == 200 for a in answers), counts(answers))
    report.check(part, "the deliveries reached both instances", all(x > 0 for x in per_instance), per_instance)
    report.check(part, "every delivery processed (webhook_events all processed)",
                 done is not None and event_states == {"processed": str(len(bodies))}, event_states)
    report.check(part, f"exactly one message per wamid ({burst + 1} wamids)",
                 not duplicated and messages == burst + 1 and distinct == burst + 1,
                 f"{messages} rows, {distinct} distinct, duplicated: {duplicated[:5]}")


def part_b(report, ctx):
    """check-media debounced across instances."""
    db, proxy, servers, bearer = ctx["db"], ctx["proxy"], ctx["servers"], ctx["bearer"]
    part = "b. check-media debounced"
    print(f"==> {part}", flush=True)
    conversation = db.value("SELECT conversation_id FROM messages WHERE media_id IS NOT NULL ORDER BY id LIMIT 1")
    route = lambda r: "check-media" in r  # noqa: E731
    before = [metric_sum(s.port, "inbox_http_requests_total", route=route) for s in servers]
    scans_before = sum(metric_sum(s.port, "inbox_check_media_scans_total") for s in servers)
    answers = parallel([lambda: H.request(proxy.port, "POST", f"/messages/check-media/{conversation}", headers=bearer)
                        for _ in range(20)], workers=20)
    outcomes = []
    for status, _, body in answers:
        try:
            outcomes.append(f"{status} {json.loads(body).get('status')}")
        except ValueError:
            outcomes.append(f"{status} {body[:60]}")
    per_instance = [metric_sum(s.port, "inbox_http_requests_total", route=route) - b for s, b in zip(servers, before)]
    scans = [metric_sum(s.port, "inbox_check_media_scans_total") for s in servers]
    report.figure(part, "answers", counts(outcomes))
    report.figure(part, "calls_per_instance", [int(x) for x in per_instance])
    report.figure(part, "scans_per_instance", [int(x) for x in scans])
    report.check(part, "20 concurrent calls through the proxy reached both instances",
                 all(x > 0 for x in per_instance) and sum(per_instance) == 20, per_instance)
    report.check(part, "exactly 1 \"started\", 19 \"skipped\" (all 202)",
                 counts(outcomes) == {"202 started": 1, "202 skipped": 19}, counts(outcomes))
    report.check(part, "inbox_check_media_scans_total summed over the instances = 1",
                 sum(scans) - scans_before == 1, scans)


def part_c(report, ctx):
    """SSE events reach clients of any instance."""
    db, proxy, servers, token = ctx["db"], ctx["proxy"], ctx["servers"], ctx["token"]
    part = "c. SSE across instances"
    print(f"==> {part}", flush=True)
    path = f"/accounts/{db.account_id}/events?access_token={token}"
    clients = [SseClient(servers[0].port, path, "instance A"), SseClient(servers[1].port, path, "instance B"),
               SseClient(proxy.port, path, "via haproxy")]
    for client in clients:
        client.start()
    try:
        connected = H.wait_until(lambda: all(c.received("comment", "connected") for c in clients), 10)
        report.check(part, "three event streams open (A direct, B direct, through the proxy)",
                     connected is not None and all(c.status == 200 for c in clients), [c.status for c in clients])
        run = uuid.uuid4().hex[:8]
        for target, label in ((1, "B"), (0, "A")):
            wamid = f"wamid.scale.c.{run}.{label}"
            body = H.delivery("text_message.json", wamid, sender="16505559300")
            posted = time.time()
            status = post_webhook(servers[target].port, body)
            arrived = H.wait_until(lambda: all(c.received("message.created", wamid) for c in clients), 10)
            delays = {c.name: (None if c.received("message.created", wamid) is None else
                               round((c.received("message.created", wamid) - posted) * 1000))
                      for c in clients}
            report.figure(part, f"webhook_to_instance_{label}_event_after_ms", delays)
            report.check(part, f"webhook posted to instance {label} (200): message.created reached all three clients",
                         status == 200 and arrived is not None, f"status {status}, arrivals {delays}")
            if arrived is not None:
                direct = max(delays["instance A"], delays["instance B"])
                report.check(part, f"through the proxy the event is not held back (within 100 ms of the direct "
                                   f"clients)", delays["via haproxy"] <= direct + 100, delays)
    finally:
        for client in clients:
            client.close()


def part_d(report, ctx):
    """Background work shared: media downloads queued by image webhooks run on both instances, each once."""
    db, proxy, servers, graph = ctx["db"], ctx["proxy"], ctx["servers"], ctx["graph"]
    part = "d. background jobs shared"
    print(f"==> {part}", flush=True)
    media = 96
    run = uuid.uuid4().hex[:8]
    # Each download takes 300 ms at the fake, so the queue outlasts one instance's first claim.
    graph.control("knobs", {"families": {"media_download": {"latency_ms": 300}}, "media_defaults": {"size": 16384}})
    done_label = dict(kind="media_download", outcome="done")
    before = [metric_sum(s.port, "inbox_jobs_total", **done_label) for s in servers]
    outcomes = ("done", "retry", "postponed", "failed")
    outcomes_before = [{o: metric_sum(s.port, "inbox_jobs_total", kind="media_download", outcome=o) for o in outcomes}
                       for s in servers]
    downloads_before = graph.family_requests("media_download")
    bodies = [H.delivery("image_message.json", f"wamid.scale.d.{run}.{i}", sender=f"1650555{9400 + i % 10}",
                         media_id=f"scale-media-{run}-{i}") for i in range(media)]
    started = time.time()
    answers = parallel([lambda b=b: post_webhook(proxy.port, b) for b in bodies], workers=16)
    mine = f"media_id LIKE 'scale-media-{run}-%'"
    job_errors = set()  # a job's last_error lasts until its next attempt ends: read it while waiting

    def all_stored():
        job_errors.update(db.values(
            f"SELECT left(last_error, 150) FROM jobs WHERE kind = 'media_download' AND last_error IS NOT NULL "
            f"AND dedupe_key IN (SELECT id::text FROM messages WHERE {mine})"))
        return db.value(f"SELECT count(*) FROM messages WHERE {mine} AND media_state = 'stored'") == str(media)
    stored = H.wait_until(all_stored, 60, interval=0.1)
    elapsed = time.time() - started
    time.sleep(0.3)  # the runner counts the outcome just after recording it
    per_instance = [metric_sum(s.port, "inbox_jobs_total", **done_label) - b for s, b in zip(servers, before)]
    # An outcome other than done (a retry spends an attempt and downloads the bytes again) explains a repeat.
    if job_errors:
        report.figure(part, "job_errors_seen", sorted(job_errors))
    report.figure(part, "job_outcomes_per_instance", [
        {o: int(metric_sum(s.port, "inbox_jobs_total", kind="media_download", outcome=o) - b[o]) for o in outcomes
         if metric_sum(s.port, "inbox_jobs_total", kind="media_download", outcome=o) - b[o]}
        for s, b in zip(servers, outcomes_before)])
    jobs = db.value(f"SELECT count(*) || '|' || count(*) FILTER (WHERE status = 'done') || '|' || "
                    f"count(*) FILTER (WHERE attempts = 1) FROM jobs WHERE kind = 'media_download' AND dedupe_key IN "
                    f"(SELECT id::text FROM messages WHERE {mine})").split("|")
    fetched = [r["target"] for r in graph.requests("media_download") if f"scale-media-{run}-" in r["target"]]
    graph.control("knobs", {"families": {"media_download": {"latency_ms": 0}}})
    report.figure(part, "image_webhooks", media)
    warnings = [log_warnings(s, ("jobs: claiming failed", "recording its outcome failed")) for s in servers]
    report.figure(part, "job_warnings_in_instance_logs", warnings)
    report.figure(part, "all_stored_after_s", None if stored is None else round(elapsed, 1))
    report.figure(part, "downloads_done_per_instance", [int(x) for x in per_instance])
    report.figure(part, "jobs_rows_done_attempts1", f"{jobs[0]} rows, {jobs[1]} done, {jobs[2]} with attempts = 1")
    all_downloads = graph.family_requests("media_download") - downloads_before
    report.figure(part, "graph_downloads", f"{len(fetched)} of our media ({all_downloads} in all)")
    report.check(part, "every image webhook answered 200", all(a == 200 for a in answers), counts(answers))
    report.check(part, f"all {media} media stored", stored is not None,
                 db.value(f"SELECT count(*) FROM messages WHERE {mine} AND media_state = 'stored'"))
    report.check(part, "both instances ran download jobs (inbox_jobs_total done > 0 on each)",
                 all(x > 0 for x in per_instance), per_instance)
    report.check(part, f"each job done once: {media} job rows, all done, each claimed once",
                 jobs == [str(media)] * 3, jobs)
    report.check(part, f"each media downloaded from Graph once ({media} downloads)",
                 len(fetched) == media and len(set(fetched)) == media, f"{len(fetched)} ({len(set(fetched))} distinct)")
    report.check(part, "the instances' done counts add up to the job count", sum(per_instance) == media, per_instance)
    report.check(part, "no instance failed to claim or record a job (its log)", not any(warnings), warnings)


def part_e(report, ctx):
    """One breaker state per Graph family per instance."""
    db, servers, graph, bearer = ctx["db"], ctx["servers"], ctx["graph"], ctx["bearer"]
    part = "e. breaker per instance"
    print(f"==> {part}", flush=True)
    conversation = db.value("SELECT id FROM conversations WHERE last_inbound_at > now() - interval '20 hours' "
                            "ORDER BY id LIMIT 1")
    headers = dict(bearer, **{"Content-Type": "application/json"})
    state = lambda s: metric_sum(s.port, "inbox_graph_breaker_state", family="messages")  # noqa: E731
    graph.control("knobs", {"families": {"messages": {"failure": {"status": 500}}}})
    try:
        states = {}
        for index, label in ((0, "A"), (1, "B")):
            server = servers[index]
            statuses = []
            for i in range(12):
                status, _, _ = H.request(server.port, "POST", "/messages/send", headers=headers,
                                         body=json.dumps({"conversation_id": conversation, "text": f"breaker {i}"}))
                statuses.append(status)
                if state(server) == 2:
                    break
            calls = graph.family_requests("messages")
            refused = H.request(server.port, "POST", "/messages/send", headers=headers,
                                body=json.dumps({"conversation_id": conversation, "text": "while open"}))[0]
            states[label] = [state(s) for s in servers]
            report.figure(part, f"sends_through_{label}_until_open", counts(statuses))
            report.figure(part, f"breaker_state_after_{label}_failures_[A,B]", [int(x) for x in states[label]])
            report.check(part, f"instance {label}: its messages breaker opened ({len(statuses)} failed sends, 503)",
                         states[label][index] == 2 and all(s == 503 for s in statuses), (statuses, states[label]))
            report.check(part, f"instance {label}: once open, a send answers 503 without calling Graph",
                         refused == 503 and graph.family_requests("messages") == calls,
                         f"{refused}, {graph.family_requests('messages') - calls} calls")
        report.check(part, "after A's failures only A's breaker is open (B still closed): state is per instance",
                     states["A"] == [2, 0], states["A"])
        report.check(part, "after B's failures both show open, each in its own /metrics", states["B"] == [2, 2],
                     states["B"])
    finally:
        graph.control("knobs", {"families": {"messages": {"failure": None}}})


def part_f(report, ctx, run_dir):
    """Throughput of 1 vs 2 instances through the proxy (closed loop), and the proxy's own cost."""
    db, servers, graph = ctx["db"], ctx["servers"], ctx["graph"]
    part = "f. throughput"
    print(f"==> {part} (waiting for the exclusive lock {BENCH_LOCK})", flush=True)
    duration, warmup, connections = LOAD["duration"], LOAD["warmup"], LOAD["connections"]
    ids_path = os.path.join(run_dir, "conversation_ids.txt")
    with open(ids_path, "w") as f:
        f.write("\n".join(db.values("SELECT id FROM conversations ORDER BY id")) + "\n")
    bearer = "Bearer " + ctx["token"]
    scenarios = {
        "reads": {"name": "reads", "id_lists": {"conversation_id": ids_path}, "requests": [
            {"name": "conversations", "path": f"/accounts/{db.account_id}/conversations?limit=50",
             "headers": {"Authorization": bearer}},
            {"name": "messages", "path": "/conversations/{{conversation_id}}/messages?limit=50",
             "headers": {"Authorization": bearer}}]},
        "webhooks": {"name": "webhooks", "id_lists": {"sender": os.path.join(ROOT, "loadtest/scenarios/senders.txt")},
                     "requests": [{"name": "webhook_text", "method": "POST", "path": "/webhook/whatsapp",
                                   "headers": {"Content-Type": "application/json"},
                                   "body_file": os.path.join(ROOT, "loadtest/scenarios/bodies/text_from_sender.json"),
                                   "unique_wamid": True, "sign_webhook": {"secret_var": "webhook_secret"}}]},
        "health": {"name": "health", "requests": [{"name": "health", "path": "/health"}]},
    }
    paths = {}
    for name, scenario in scenarios.items():
        paths[name] = os.path.join(run_dir, f"scenario-{name}.json")
        with open(paths[name], "w") as f:
            json.dump(scenario, f, indent=1)
    variables = {"webhook_secret": H.APP_SECRET}
    Haproxy = ctx["Haproxy"]
    rows = []

    def measure(label, mix, target, proxy, instances, seconds=duration, events_db=None):
        """One closed-loop run; `instances` are the servers behind `proxy` (for CPU and per-instance counts)."""
        sampler = CpuSampler({
            "inbox A": lambda: [instances[0].proc.pid],
            "inbox B": lambda: [instances[1].proc.pid] if len(instances) > 1 else [],
            "haproxy": lambda: [proxy.proc.pid] if proxy else [], "postgres": postgres_pids})
        before = [requests_served(s.port) for s in instances]
        result = loadgen(run_dir, target, paths[mix], f"load-{label.replace(' ', '_').replace(',', '')}", seconds,
                         warmup, connections, variables, sampler)
        served = [int(requests_served(s.port) - b) for s, b in zip(instances, before)] + [0] * (2 - len(instances))
        overall = result["overall"]
        ok = sum(v for k, v in overall["status"].items() if k.startswith("2"))
        errors = {k: v for k, v in overall["errors"].items() if v}
        bad = {k: v for k, v in overall["status"].items() if not k.startswith("2")}
        row = {"label": label, "mix": mix, "backends": len(instances) if proxy else "-",
               "rps": round(ok / seconds), "p50_ms": overall["latency_ms"]["p50"],
               "p99_ms": overall["latency_ms"]["p99"], "non_2xx": bad, "errors": errors,
               "served_per_instance": served, "cpu_percent": result["cpu_percent"]}
        if events_db is not None:
            # Acknowledging is the request; processing runs behind it, on every instance.
            start, end = result["window"]
            row["processed_per_s"] = round(int(events_db.value(
                f"SELECT count(*) FROM webhook_events WHERE processed_at >= to_timestamp({start}) "
                f"AND processed_at < to_timestamp({end})")) / (end - start))
            row["backlog_at_end"] = int(events_db.value(
                "SELECT count(*) FROM webhook_events WHERE status IN ('pending', 'processing')"))
        rows.append(row)
        print(f"    {label:28} {row['rps']:>7} req/s  p50 {row['p50_ms']} ms  p99 {row['p99_ms']} ms  "
              f"served A/B {served}  cpu% {row['cpu_percent']}"
              + (f"  processed/s {row['processed_per_s']} backlog {row['backlog_at_end']}" if events_db else "")
              + (f"  non-2xx {bad}" if bad else "") + (f"  errors {errors}" if errors else ""), flush=True)
        return row

    def webhook_run(backends):
        """Webhooks on a fresh database and fresh instances, so that no run processes another's backlog."""
        events_db = H.Database(f"scale_wh{backends}")
        instances, proxy = [], None
        try:
            for name in "ab"[:backends]:
                instances.append(H.Server(events_db, run_dir, env=INSTANCE_ENV, name=f"webhooks{backends}-{name}"))
            proxy = Haproxy(run_dir, instances, f"webhooks-{backends}")
            row = measure(f"webhooks, {backends} backend" + ("s" if backends > 1 else ""), "webhooks", proxy.port,
                          proxy, instances, events_db=events_db)
            row["log_warnings"] = [log_warnings(s, ("deadlock detected", "sweeper", "attempt 1 failed"))
                                   for s in instances]
            if any(row["log_warnings"]):
                report.figure(part, f"webhooks_{backends}_backends_log_warnings", row["log_warnings"])
        finally:
            for process in [proxy, *instances]:
                if process is not None:
                    process.stop()

    with open(BENCH_LOCK, "a") as lock:
        waited = time.time()
        fcntl.flock(lock, fcntl.LOCK_EX)
        report.figure(part, "waited_for_lock_s", round(time.time() - waited, 1))
        try:
            one = Haproxy(run_dir, servers[:1], "1-backend")
            try:
                measure("health direct (instance A)", "health", servers[0].port, None, servers[:1],
                        seconds=LOAD["health_duration"])
                measure("health via haproxy", "health", one.port, one, servers[:1], seconds=LOAD["health_duration"])
                measure("reads, 1 backend", "reads", one.port, one, servers[:1])
            finally:
                one.stop()
            two = Haproxy(run_dir, servers, "2-backends")
            try:
                measure("reads, 2 backends", "reads", two.port, two, servers)
            finally:
                two.stop()
            # The reading instances are done: they leave the cores to the webhook runs.
            for server in servers:
                server.stop()
            webhook_run(1)
            webhook_run(2)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    for row in rows:
        clean = not row["non_2xx"] and not row["errors"]
        report.check(part, f"{row['label']}: no errors, no non-2xx", clean, (row["non_2xx"], row["errors"]))
        if row["backends"] == 2:
            report.check(part, f"{row['label']}: both instances served", all(x > 0 for x in row["served_per_instance"]),
                         row["served_per_instance"])
        if "processed_per_s" in row:
            report.check(part, f"{row['label']}: acknowledged deliveries processed meanwhile",
                         row["processed_per_s"] > 0, row["processed_per_s"])
    report.figure(part, "rows", rows)
    return rows


# --- report -------------------------------------------------------------------------------------------------------
def markdown(report, rows, started, run_dir):
    cores = os.cpu_count()
    lines = [f"# Scale scenario: 2 instances behind HAProxy ({time.strftime('%Y-%m-%d %H:%M:%S')})", "",
             f"{cores} cores; one Postgres (throwaway, fsync off), one Redis, the fake Graph API, "
             "2 `whatsapp-inbox serve` instances, HAProxy (scripts/lib/haproxy.sh), load from `inbox-loadgen`.", "",
             "## Checks", "", "| part | check | result |", "|---|---|---|"]
    for part, description, passed, detail in report.checks:
        result = "passed" if passed else f"**FAILED** ({str(detail)[:200]})"
        lines.append(f"| {part} | {description} | {result.replace('|', '/')} |")
    lines += ["", "## Figures", "", "| part | figure | value |", "|---|---|---|"]
    for part, figures in report.figures.items():
        for name, value in figures.items():
            if name != "rows":
                lines.append(f"| {part} | {name} | {json.dumps(value).replace('|', '/')} |")
    if rows:
        lines += ["", f"## Throughput (closed loop, {LOAD['connections']} connections, {LOAD['duration']} s measured "
                  f"after {LOAD['warmup']} s of warm-up; health {LOAD['health_duration']} s)", "",
                  "| load | backends | req/s | p50 ms | p99 ms | served by A / B | CPU % (A / B / haproxy / postgres) "
                  "| webhooks processed/s (backlog at end) |",
                  "|---|---|---|---|---|---|---|---|"]
        for row in rows:
            cpu = row["cpu_percent"]
            processed = f"{row['processed_per_s']} ({row['backlog_at_end']})" if "processed_per_s" in row else ""
            lines.append(f"| {row['label']} | {row['backends']} | {row['rps']} | {row['p50_ms']} | {row['p99_ms']} | "
                         f"{row['served_per_instance'][0]} / {row['served_per_instance'][1]} | "
                         f"{cpu['inbox A']} / {cpu['inbox B']} / {cpu['haproxy']} / {cpu['postgres']} | {processed} |")
        by = {row["label"]: row for row in rows}

        def ratio(a, b):
            return f"{by[b]['rps'] / by[a]['rps']:.2f}x" if by.get(a, {}).get("rps") and b in by else "n/a"
        lines += ["", f"- reads: 2 backends / 1 backend = {ratio('reads, 1 backend', 'reads, 2 backends')}; "
                      f"webhooks: {ratio('webhooks, 1 backend', 'webhooks, 2 backends')}.",
                  "- Webhook req/s counts acknowledgements (the raw delivery committed); processing runs behind them "
                  "on every instance (processed/s during the window, and the backlog left at its end). Each webhook "
                  "run has its own fresh database and instances, so neither processes the other's backlog. Postgres "
                  "runs with fsync off here (like the fault suite), so commits cost CPU, not disk waits.",
                  f"- HAProxy's own cost on the cheapest route: /health through it = "
                  f"{ratio('health direct (instance A)', 'health via haproxy')} of direct "
                  f"(p99 {by.get('health direct (instance A)', {}).get('p99_ms')} ms direct vs "
                  f"{by.get('health via haproxy', {}).get('p99_ms')} ms through it).",
                  f"- Honest caveat: this machine has {cores} cores. Postgres, HAProxy, the load generator and both "
                  "instances share them, so the second instance competes with Postgres and the first instance for "
                  "the same cores: on this box it shows that two instances work as one (and what they cost), not "
                  "how the service scales on separate machines. CPU % is of one core (the machine has "
                  f"{cores * 100} %); the load generator's own share is the remainder."]
    lines += ["", f"Run directory: {run_dir}; total runtime {time.time() - started:.0f} s. "
                  f"Result: {'all checks passed' if report.passed else 'SOME CHECKS FAILED'}.", ""]
    return "\n".join(lines)


def main():
    global H
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build", "release"))
    parser.add_argument("--out", required=True, help="run directory (logs, results.md, results.json)")
    parser.add_argument("--parts", default="abcdef", help="which parts to run (default abcdef: all)")
    args = parser.parse_args()
    os.environ["INBOX_BUILD_DIR"] = os.path.abspath(args.build_dir)
    sys.path.insert(0, os.path.join(ROOT, "loadtest", "faults"))
    import harness  # noqa: E402
    H = harness
    for key in ("PG_URL", "REDIS_URL"):
        if key not in os.environ:
            parser.error(f"{key} is not set: run loadtest/scale.sh, which provides Postgres and Redis")
    if not os.access(HAPROXY_BIN, os.X_OK):
        parser.error(f"{HAPROXY_BIN} not found (scripts/deps.sh installs haproxy)")
    run_dir = os.path.abspath(args.out)
    os.makedirs(run_dir, exist_ok=True)
    started = time.time()
    report, rows, processes = Report(), [], []
    Haproxy = make_haproxy_class()
    try:
        db = H.Database("scale")
        graph = H.FakeGraph(run_dir)
        processes.append(graph)
        servers = []
        for name in ("a", "b"):
            servers.append(H.Server(db, run_dir, graph=graph, env=INSTANCE_ENV, name=f"instance-{name}"))
            processes.append(servers[-1])
        proxy = Haproxy(run_dir, servers, "cluster")
        processes.append(proxy)
        token = H.token()
        print(f"instances on 127.0.0.1:{servers[0].port} (A) and :{servers[1].port} (B), HAProxy on :{proxy.port}, "
              f"fake Graph at {graph.base}; logs in {run_dir}", flush=True)
        ctx = {"db": db, "graph": graph, "servers": servers, "proxy": proxy, "token": token,
               "bearer": {"Authorization": "Bearer " + token}, "Haproxy": Haproxy}
        for part in (part_a, part_b, part_c, part_d, part_e):
            if part.__name__[-1] not in args.parts:
                continue
            try:
                part(report, ctx)
            except Exception as error:  # a part that could not run is a failed check, the others still run
                traceback.print_exc()
                report.check(part.__name__, f"{part.__name__} ran", False, f"{type(error).__name__}: {error}")
        proxy.stop()
        processes.remove(proxy)
        try:
            rows = part_f(report, ctx, run_dir) if "f" in args.parts else []
        except Exception as error:
            traceback.print_exc()
            report.check("f", "throughput part ran", False, f"{type(error).__name__}: {error}")
    except Exception as error:
        traceback.print_exc()
        report.check("setup", "processes started", False, f"{type(error).__name__}: {error}")
    finally:
        for process in reversed(processes):
            process.stop()
    text = markdown(report, rows, started, run_dir)
    with open(os.path.join(run_dir, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(run_dir, "results.json"), "w") as f:
        json.dump({"checks": [{"part": p, "check": d, "passed": ok, "detail": str(x)} for p, d, ok, x in report.checks],
                   "figures": report.figures, "passed": report.passed}, f, indent=1, default=str)
    print("\n" + text)
    if not report.passed:
        print(f"scale: FAILED (logs in {run_dir})", file=sys.stderr)
        return 1
    print(f"scale: all checks passed in {time.time() - started:.0f} s (logs in {run_dir})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
