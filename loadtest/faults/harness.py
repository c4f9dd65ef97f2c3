"""The parts every fault scenario uses: real processes on loopback and timed HTTP probes.

Postgres and Redis are started by loadtest/faults.sh (scripts/lib/services.sh) and reached through the
environment it exports; everything else (server instances, the fake Graph API, load) is started here, per scenario,
and stopped when the scenario ends.
"""
import hashlib
import hmac
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("INBOX_BUILD_DIR", os.path.join(ROOT, "build", "release"))
SERVER_BIN = os.path.join(BUILD, "src", "whatsapp-inbox")
LOADGEN_BIN = os.path.join(BUILD, "loadtest", "loadgen", "inbox-loadgen")
FAKE_GRAPH_BIN = os.path.join(BUILD, "tools", "fake_graph", "fake-graph")


def build_is_sanitized(build_dir=BUILD):
    """True for the ASan+UBSan test build (INBOX_SANITIZE=ON in its CMake cache): every request costs several times
    more there, load generator included, so throughput ratios measure the sanitizer, not the server."""
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
            return any(line.strip() == "INBOX_SANITIZE:BOOL=ON" for line in f)
    except OSError:
        return False


SANITIZED = build_is_sanitized()
FIXTURES = os.environ.get("INBOX_FIXTURES_DIR", os.path.join(ROOT, "..", "shared", "fixtures"))

APP_SECRET = "faults-app-secret"
JWT_SECRET = "faults-jwt-secret-0123456789abcdef0123456789"
MEDIA_SECRET = "faults-media-secret-0123456789abcdef01234567"
PHONE_NUMBER_ID = "106540352242922"
USER = "faults-user"


def sh(command, check=True, **kwargs):
    """Runs a shell command (service control, psql); answers its stdout."""
    done = subprocess.run(command, shell=True, capture_output=True, text=True, **kwargs)
    if check and done.returncode != 0:
        raise RuntimeError(f"{command!r} failed ({done.returncode}): {done.stderr.strip()[:500]}")
    return done.stdout


class Database:
    """A fresh database per scenario on the harness's Postgres, migrated and seeded with one account."""

    def __init__(self, name):
        self.admin_url = os.environ["PG_URL"]
        self.name = f"faults_{name}_{uuid.uuid4().hex[:8]}"
        self.url = re.sub(r"/[^/]*$", "/" + self.name, self.admin_url)
        sh(f"psql '{self.admin_url}' -qc 'CREATE DATABASE {self.name}'")
        sh(f"DATABASE_URL='{self.url}' '{SERVER_BIN}' migrate")
        sh(f"psql '{self.url}' -q -v accounts=1 -v conversations_per_account=50 -v messages_per_conversation=10 "
           f"-v user={USER} -f '{ROOT}/loadtest/seed.sql'")
        self.account_id = self.value("SELECT id FROM accounts ORDER BY name LIMIT 1")
        # Scenarios share one Redis; its entries (the phone number's account id) belong to the previous database.
        sh(f"redis-cli -u '{os.environ['REDIS_URL']}' FLUSHALL")

    def value(self, sql):
        return sh(f"psql '{self.url}' -Atc \"{sql}\"").strip()

    def values(self, sql):
        return [line for line in sh(f"psql '{self.url}' -Atc \"{sql}\"").splitlines() if line]

    def execute(self, sql):
        sh(f"psql '{self.url}' -qc \"{sql}\"")


class Postgres:
    """Stops and starts the harness's Postgres (scripts written by loadtest/faults.sh)."""

    @staticmethod
    def stop():
        sh(os.environ["FAULTS_PG_STOP"])

    @staticmethod
    def start():
        sh(os.environ["FAULTS_PG_START"])


class Redis:
    @staticmethod
    def url():
        return os.environ["REDIS_URL"]

    @staticmethod
    def kill():
        sh(os.environ["FAULTS_REDIS_KILL"])

    @staticmethod
    def start():
        sh(os.environ["FAULTS_REDIS_START"])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A child process whose output goes to a file; started once `ready()` answers something true (a regex
    match on its output when `ready` is a string)."""

    def __init__(self, args, env, log_path, ready, timeout=20):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(args, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        check = (lambda: re.search(ready, self.output())) if isinstance(ready, str) else ready
        deadline = time.time() + timeout
        self.match = None
        while time.time() < deadline and not self.match:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{args[0]} exited at start: {self.output()[-2000:]}")
            self.match = check()
            if not self.match:
                time.sleep(0.05)
        if not self.match:
            self.proc.kill()
            raise RuntimeError(f"{args[0]} not ready after {timeout}s: {self.output()[-2000:]}")

    def output(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def signal(self, signo):
        if self.proc.poll() is None:
            self.proc.send_signal(signo)

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            if self.wait(10) is None:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class FakeGraph(Process):
    def __init__(self, run_dir, latency_ms=0):
        super().__init__([FAKE_GRAPH_BIN, "--port", "0", "--latency-ms", str(latency_ms)], dict(os.environ),
                         os.path.join(run_dir, f"fake-graph-{uuid.uuid4().hex[:6]}.log"),
                         r"listening on (http://\S+)")
        self.base = self.match.group(1)
        self.port = int(self.base.rsplit(":", 1)[1])

    def control(self, path, body=None):
        status, _, text = request(self.port, "POST" if body is not None else "GET", "/_control/" + path,
                                  body=json.dumps(body) if body is not None else None,
                                  headers={"Content-Type": "application/json"})
        if status != 200:
            raise RuntimeError(f"fake-graph control {path}: {status} {text}")
        return json.loads(text)

    def requests(self, family):
        return self.control(f"requests?family={family}")["requests"]

    def family_requests(self, family):
        families = self.control("stats")["families"]
        return families.get(family, {}).get("requests", 0)


class Server(Process):
    """`whatsapp-inbox serve` on a free port against `db`; `env` adds or overrides variables."""

    def __init__(self, db, run_dir, graph=None, env=None, name="server"):
        variables = dict(os.environ)
        self.port = free_port()
        variables.update({
            "DATABASE_URL": db.url, "HOST": "127.0.0.1", "PORT": str(self.port), "LOG_LEVEL": os.environ.get("FAULTS_LOG_LEVEL", "warn"),
            "JWT_SECRET": JWT_SECRET, "MEDIA_URL_SECRET": MEDIA_SECRET, "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": "faults-verify", "MEDIA_DIR": os.path.join(run_dir, "media"),
            "REDIS_URL": Redis.url(),
        })
        variables.pop("LOG_FORMAT", None)
        if graph is not None:
            variables["GRAPH_API_BASE"] = graph.base
        variables.update(env or {})
        self.env = variables
        super().__init__([SERVER_BIN, "serve", "--no-migrate"], variables,
                         os.path.join(run_dir, f"{name}-{uuid.uuid4().hex[:6]}.log"),
                         lambda: request(self.port, "GET", "/health", timeout=1)[0] == 200)

    def metric(self, name, labels=""):
        _, _, text = request(self.port, "GET", "/metrics")
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name + labels) and (labels or line[len(name)] in " {"):
                total += float(line.rsplit(" ", 1)[1])
        return total


def token(user=USER, ttl=3600):
    return sh(f"JWT_SECRET='{JWT_SECRET}' '{SERVER_BIN}' token --user {user} --ttl {ttl}").strip()


def request(port, method, path, body=None, headers=None, timeout=10.0):
    """One request on a fresh connection: (status, headers, body); status 0 with the error as body on failure."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode(errors="replace")
    except (OSError, http.client.HTTPException) as error:
        return 0, {}, f"{type(error).__name__}: {error}"
    finally:
        connection.close()


def fixture(name):
    with open(os.path.join(FIXTURES, "webhooks", name)) as f:
        return json.load(f)


def delivery(fixture_name, wamid, sender="16505551234", media_id=None):
    """A fixture as a new message sent now (its window open), with its own wamid (and media id)."""
    body = fixture(fixture_name)
    value = body["entry"][0]["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = PHONE_NUMBER_ID
    value["contacts"][0]["wa_id"] = sender
    message = value["messages"][0]
    message.update({"id": wamid, "from": sender, "timestamp": str(int(time.time()))})
    if media_id is not None:
        message[message["type"]]["id"] = media_id
    return json.dumps(body)


def signed_headers(body):
    digest = hmac.new(APP_SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + digest}


class Probe(threading.Thread):
    """Sends one request after another to a route and records when it was sent, how long it took and its status."""

    def __init__(self, name, port_fn, method, path, body_fn=None, headers=None, interval=0.02, timeout=10.0):
        super().__init__(daemon=True)
        self.name, self.port_fn, self.method, self.path = name, port_fn, method, path
        self.body_fn, self.headers, self.interval, self.timeout = body_fn, headers or {}, interval, timeout
        self.samples = []  # (sent_at, latency_s, status)
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            body = self.body_fn() if self.body_fn else None
            headers = dict(self.headers)
            if body is not None and "X-Hub-Signature-256" in headers:
                headers.update(signed_headers(body))
            sent = time.time()
            status, _, _ = request(self.port_fn(), self.method, self.path, body=body, headers=headers,
                                   timeout=self.timeout)
            self.samples.append((sent, time.time() - sent, status))
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()
        self.join(self.timeout + 1)

    def between(self, start, end):
        return [s for s in self.samples if start <= s[0] < end]


class Loadgen:
    """inbox-loadgen in the background whose JSON report is read when it ends: open loop at `rate`, or closed loop
    (each connection sends on its answer) when rate is None."""

    def __init__(self, run_dir, port, scenario, rate, duration, connections=16, variables=None, name="load"):
        self.json_path = os.path.join(run_dir, f"{name}-{uuid.uuid4().hex[:6]}.json")
        pace = ["--closed-loop"] if rate is None else ["--rate", str(rate)]
        args = [LOADGEN_BIN, "--target", f"http://127.0.0.1:{port}", "--scenario", scenario, *pace,
                "--duration", f"{duration}s", "--warmup", "0s", "--connections", str(connections),
                "--timeout", "10s", "--json", self.json_path]
        for key, value in (variables or {}).items():
            args += ["--var", f"{key}={value}"]
        self.log = open(self.json_path + ".log", "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)

    def result(self, timeout=120):
        self.proc.wait(timeout)
        self.log.close()
        with open(self.json_path) as f:
            return json.load(f)


def write_scenario(run_dir, name, requests):
    """A load generator scenario file of `requests` in the run directory; answers its path."""
    path = os.path.join(run_dir, f"{name}-{uuid.uuid4().hex[:6]}.json")
    with open(path, "w") as f:
        json.dump({"name": name, "requests": requests}, f)
    return path


def statuses(samples):
    counts = {}
    for _, _, status in samples:
        counts[status] = counts.get(status, 0) + 1
    return counts


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def wait_until(predicate, timeout, interval=0.05):
    """Seconds until `predicate` held, or None if it never did within `timeout`."""
    started = time.time()
    while time.time() - started < timeout:
        if predicate():
            return time.time() - started
        time.sleep(interval)
    return None
