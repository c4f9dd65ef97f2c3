"""Helpers of the browser tests: starting headless Chromium, waiting on the page, webhooks, server metrics.

The processes (server, fake Graph, database) come from loadtest/faults/harness.py; this file only adds what a
browser test needs on top of it.
"""
import json
import os
import re
import shutil
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "loadtest", "faults"))
import harness  # noqa: E402  (needs the path above)

# The ASan+UBSan build answers several times slower: every wait scales with it.
SCALE = 4.0 if harness.SANITIZED else 1.0


class Skip(Exception):
    """The browser cannot run here (no Selenium, no Chromium, no driver): not a test failure."""


class Failure(AssertionError):
    pass


def import_selenium():
    """Selenium from the interpreter's own packages, else Debian's python3-selenium (a pyenv or venv python3 does
    not see /usr/lib/python3/dist-packages)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        sys.path.append("/usr/lib/python3/dist-packages")
        try:
            import selenium  # noqa: F401
        except ImportError as error:
            raise Skip(f"Selenium is not installed ({error}); apt-get install python3-selenium") from error
    from selenium import webdriver
    return webdriver


def find_program(env_name, names):
    if os.environ.get(env_name):
        return os.environ[env_name]
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


def start_chromium():
    webdriver = import_selenium()
    from selenium.webdriver.chrome.service import Service

    binary = find_program("CHROME_BIN", ["chromium", "chromium-browser", "google-chrome"])
    driver_path = find_program("CHROMEDRIVER", ["chromedriver"])
    if not binary:
        raise Skip("no Chromium found (set CHROME_BIN or apt-get install chromium)")
    if not driver_path:
        raise Skip("no chromedriver found (set CHROMEDRIVER or apt-get install chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,800", "--no-first-run", "--disable-extensions", "--lang=en-US",
                     "--disable-background-networking", "--disable-renderer-backgrounding"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(driver_path), options=options)
    except Exception as error:  # WebDriverException, OSError: whatever stops the browser from starting
        first_line = (str(error).strip().splitlines() or [repr(error)])[0].removeprefix("Message: ")
        raise Skip(f"Chromium did not start ({binary}, {driver_path}): {first_line}")
    driver.set_page_load_timeout(30 * SCALE)
    driver.set_script_timeout(30 * SCALE)
    return driver


def set_viewport(driver, width, height):
    """Exact CSS viewport (the window size includes browser chrome); narrow widths emulate a phone."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 700})


def wait_for(predicate, what, timeout=10.0, interval=0.1):
    """The predicate's first truthy answer; Failure naming `what` when none came within timeout × SCALE."""
    deadline = time.time() + timeout * SCALE
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as error:  # a stale element or a page between two states: try again
            last_error = error
        if time.time() >= deadline:
            suffix = f" (last error: {type(last_error).__name__}: {last_error})" if last_error else ""
            raise Failure(f"timed out after {timeout * SCALE:.0f}s waiting for {what}{suffix}")
        time.sleep(interval)


# --- webhooks --------------------------------------------------------------------------------------------------

def inbound(fixture_name, sender, text=None, media_id=None, context_wamid=None, timestamp=None):
    """A fixture as a new inbound message (harness.delivery) with a fresh wamid; answers (body, wamid)."""
    wamid = f"wamid.browser.{uuid.uuid4().hex}"
    body = json.loads(harness.delivery(fixture_name, wamid, sender=sender, media_id=media_id))
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    if text is not None:
        message["text"]["body"] = text
    if context_wamid is not None:
        message["context"] = {"from": "15550783881", "id": context_wamid}
    if timestamp is not None:
        message["timestamp"] = str(int(timestamp))
    return json.dumps(body), wamid


def status_update(fixture_name, wamid, recipient):
    body = harness.fixture(fixture_name)
    value = body["entry"][0]["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = harness.PHONE_NUMBER_ID
    status = value["statuses"][0]
    status.update({"id": wamid, "recipient_id": recipient, "timestamp": str(int(time.time()))})
    return json.dumps(body)


def post_webhook(server, body):
    status, _, text = harness.request(server.port, "POST", "/webhook/whatsapp", body=body,
                                      headers=harness.signed_headers(body), timeout=10 * SCALE)
    if status != 200:
        raise Failure(f"webhook delivery answered {status}: {text[:300]}")


# --- metrics ---------------------------------------------------------------------------------------------------

METRIC_LINE = re.compile(r'^(\w+)\{(.*)\}\s+(\S+)$')  # route templates contain braces
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def route_requests(server, route, method=None, status=None):
    """inbox_http_requests_total summed over the route template's series (optionally one method or status)."""
    code, _, text = harness.request(server.port, "GET", "/metrics", timeout=10 * SCALE)
    if code != 200:
        raise Failure(f"GET /metrics answered {code}")
    total = 0.0
    for line in text.splitlines():
        match = METRIC_LINE.match(line)
        if not match or match.group(1) != "inbox_http_requests_total":
            continue
        labels = dict(LABEL.findall(match.group(2)))
        if labels.get("route") != route:
            continue
        if method and labels.get("method") != method:
            continue
        if status and labels.get("status") != str(status):
            continue
        total += float(match.group(3))
    return int(total)


class ConsoleLog:
    """Chromium's console, drained as the test goes (get_log empties it) and checked at the end: CSP refusals
    and uncaught script errors are failures even when every step passed."""

    FATAL = ("Content Security Policy", "Refused to", "Uncaught", "SyntaxError", "TypeError", "ReferenceError")

    def __init__(self, driver):
        self.driver = driver
        self.entries = []

    def drain(self):
        try:
            self.entries += self.driver.get_log("browser")
        except Exception:  # the log is diagnostics; never the reason a test fails
            pass

    def fatal(self):
        self.drain()
        return [e["message"] for e in self.entries if any(word in e.get("message", "") for word in self.FATAL)]

    def write(self, path):
        self.drain()
        with open(path, "w") as f:
            for e in self.entries:
                f.write(f"{e.get('level')} {e.get('message')}\n")
