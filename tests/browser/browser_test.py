#!/usr/bin/env python3
"""Headless-browser tests of the web inbox (web/, served by the server itself under its real CSP) against a real
server, Postgres, Redis and the fake Graph API.

    PG_URL=... REDIS_URL=... INBOX_BUILD_DIR=build/release python3 tests/browser/browser_test.py --out DIR
    tests/browser/run.sh [--build-dir DIR] [--out DIR]        (starts throwaway Postgres and Redis itself)

Exit 0 when every check passed, 1 on a failure (the message says which check and why; DIR keeps screenshots, the
browser console and the server logs). When Chromium cannot start at all it prints
"browser tests SKIPPED: <reason>" and exits 0: a machine without a browser is not a failing product.
"""
import argparse
import base64
import hashlib
import http.client
import os
import sys
import tempfile
import time
import traceback
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from composer_checks import check_attachment, check_reaction, check_reply, check_retry_failed  # noqa: E402
from template_checks import check_template_to_new_number  # noqa: E402
from inbox_page import InboxPage  # noqa: E402
from support import (ROOT, SCALE, ConsoleLog, Failure, Skip, harness, inbound, post_webhook,  # noqa: E402
                     route_requests, set_viewport, start_chromium, status_update, wait_for)

WEB_DIR = os.path.join(ROOT, "web")
CONTACT = "16505559001"          # the conversation the live, reply and image checks use
CHECK_MEDIA_ROUTE = "/messages/check-media/{conversation_id}"
MEDIA_ROUTE = "/messages/media/{message_id}"
SEND_ROUTE = "/messages/send-with-auto-template"


class BrowserTest:
    def __init__(self, out):
        self.out = out
        self.run_dir = os.path.join(out, "run")
        os.makedirs(self.run_dir, exist_ok=True)
        self.driver = None
        self.processes = []
        self.screenshots = []
        self.extra_shots = []

    # --- set-up -------------------------------------------------------------------------------------------

    def start_browser(self):
        self.driver = start_chromium()
        self.console = ConsoleLog(self.driver)

    def start_services(self):
        self.db = harness.Database("browser")
        # No approved template: a send outside the 24 h window must fail with no_approved_template (the fake Graph
        # starts with no templates either, so the sync the server runs finds none).
        self.db.execute("DELETE FROM message_templates")
        self.graph = harness.FakeGraph(self.run_dir)
        self.processes.append(self.graph)
        # No loop-lag shedding: on a busy CI host (or the ASan build) the scheduler's delays alone would answer the
        # page's requests 503 — overload behaviour is the fault suite's subject, not this one's.
        self.server = harness.Server(self.db, self.run_dir, graph=self.graph,
                                     env={"WEB_DIR": WEB_DIR, "LOG_LEVEL": "info", "MAX_EVENT_LOOP_LAG_MS": "0"})
        self.processes.append(self.server)
        status, headers, _ = harness.request(self.server.port, "GET", "/")
        csp = {k.lower(): v for k, v in headers.items()}.get("content-security-policy", "")
        if status != 200 or "script-src 'self'" not in csp:
            raise Failure(f"GET / answered {status} (CSP {csp!r}): this build does not serve WEB_DIR={WEB_DIR}")
        self.token = harness.token()
        self.base = f"http://127.0.0.1:{self.server.port}"
        self.page = InboxPage(self.driver, self.base)
        set_viewport(self.driver, 1280, 800)

    def stop(self):
        if self.driver is not None:
            try:
                self.console.write(os.path.join(self.out, "browser-console.log"))
            finally:
                self.driver.quit()
        for process in reversed(self.processes):
            process.stop()
        # The harness leaves its databases behind (throwaway clusters); on a shared Postgres that would pile up.
        if getattr(self, "db", None) is not None:
            harness.sh(f"psql '{self.db.admin_url}' -qc 'DROP DATABASE IF EXISTS {self.db.name}'", check=False)

    def deliver(self, fixture_name, **kwargs):
        body, wamid = inbound(fixture_name, CONTACT, **kwargs)
        post_webhook(self.server, body)
        return wamid

    def conversation_of(self, wa_id):
        return self.db.value("SELECT cv.id FROM conversations cv JOIN contacts c ON c.id = cv.contact_id "
                             f"WHERE c.wa_id = '{wa_id}' AND cv.status = 'open'")

    # --- the checks ---------------------------------------------------------------------------------------

    def check_sign_in(self):
        """?token= deep link, the token leaving the URL, a refused token, sign-in by paste, Enter on a list item."""
        self.deliver("text_message.json", text="Hi! Is the blue one still in stock?")
        self.conversation = wait_for(lambda: self.conversation_of(CONTACT), "the webhook's conversation in the DB")
        page = self.page

        page.open(f"/?token={self.token}#/conversations/{self.conversation}")
        page.wait_thread(self.conversation, "the deep-linked thread")
        url = self.driver.current_url
        if "token=" in url or not url.endswith(f"#/conversations/{self.conversation}"):
            raise Failure(f"after a ?token= deep link the address should keep only the route, it is {url}")
        title = self.driver.find_element("id", "thread-title").text
        if title != "Sheena Nelson":
            raise Failure(f"the thread header names {title!r}, expected the contact 'Sheena Nelson'")

        # A token the server refuses (401) leads back to the sign-in view with a sentence.
        self.page.js("sessionStorage.setItem('inbox.token', 'not-a-valid-token')")
        page.open("/")
        wait_for(lambda: page.view() == "signin", "the sign-in view after a 401")
        error = self.driver.find_element("id", "signin-error").text
        if "token" not in error.lower():
            raise Failure(f"after a 401 the sign-in view should say why, it says {error!r}")
        self.extra_shots.append(self.shot("signin-1280x800.png"))

        # Sign in by pasting the token, then open the conversation from the list with the keyboard.
        from selenium.webdriver.common.keys import Keys
        box = self.driver.find_element("id", "token-input")
        box.send_keys(self.token)
        box.send_keys(Keys.ENTER)
        selector = f'a.conv[data-id="{self.conversation}"]'
        wait_for(lambda: self.driver.find_elements("css selector", selector), "the conversation in the list")
        if page.view() != "list":
            raise Failure(f"after sign-in without a deep link the list should show, the view is {page.view()!r}")
        # Live updates may re-render the item meanwhile: find it again until the key lands.
        wait_for(lambda: self.driver.find_element("css selector", selector).send_keys(Keys.ENTER) or True,
                 "Enter on the conversation in the list")
        page.wait_thread(self.conversation, "the thread opened with Enter")

    def check_live_message(self):
        """An inbound webhook appears in the open thread and the list without a reload."""
        page = self.page
        page.wait_live()
        page.js("window.__sameDocument = true")
        text = f"Could you ship it by Friday? ({uuid.uuid4().hex[:6]})"
        self.deliver("text_message.json", text=text)
        wait_for(lambda: page.message_with_text(text, "inbound"), "the webhook's message in the open thread")
        wait_for(lambda: text in page.js(
            "const a = document.querySelector(arguments[0]); return a ? a.textContent : ''",
            f'a.conv[data-id="{self.conversation}"]'), "the list preview to show the new message")
        if not page.js("return window.__sameDocument === true"):
            raise Failure("the page reloaded to show the new message; it must arrive over the event stream")

    def check_reply_and_ticks(self):
        """A reply goes out with an Idempotency-Key; a delivered status turns its tick to delivered live; a failed one
        shows Meta's error on hover."""
        page = self.page
        text = f"Yes, we can ship it on Thursday. ({uuid.uuid4().hex[:6]})"
        page.type_reply(text)
        sent = wait_for(lambda: (m := page.message_with_text(text, "outbound")) and m["status"] == "sent" and m,
                        "the reply in the thread with status sent")
        wamid, key = self.db.value(f"SELECT wa_message_id || '|' || coalesce(idempotency_key, '') FROM messages "
                                   f"WHERE id = '{sent['id']}'").split("|")
        if len(key) != 36:
            raise Failure(f"the send carried no Idempotency-Key (stored key {key!r})")
        self.reply_wamid = wamid
        post_webhook(self.server, status_update("status_delivered.json", wamid, CONTACT))
        delivered = wait_for(lambda: (m := page.message_with_text(text, "outbound")) and m["status"] == "delivered" and m,
                             "the reply's tick to turn to delivered")
        if delivered["tickStatus"] != "delivered" or "Delivered" not in delivered["tickTitle"]:
            raise Failure(f"the delivered tick reads {delivered['tickStatus']!r} / {delivered['tickTitle']!r}")

        failing = f"Here is the tracking link. ({uuid.uuid4().hex[:6]})"
        self.failed_text = failing
        page.type_reply(failing)
        sent = wait_for(lambda: (m := page.message_with_text(failing, "outbound")) and m["status"] == "sent" and m,
                        "the second reply with status sent")
        wamid = self.db.value(f"SELECT wa_message_id FROM messages WHERE id = '{sent['id']}'")
        post_webhook(self.server, status_update("status_failed.json", wamid, CONTACT))
        failed = wait_for(lambda: (m := page.message_with_text(failing, "outbound")) and m["status"] == "failed" and m,
                          "the second reply's tick to turn to failed")
        if "131047" not in failed["tickTitle"] or "24 hours" not in failed["tickTitle"]:
            raise Failure(f"a failed tick should show Meta's error on hover, its title is {failed['tickTitle']!r}")

        # A reply that quotes our message, and a location, for the thread screenshots. Meta's timestamps are whole
        # seconds: a second later, so the reply never sorts before the message it quotes.
        self.deliver("interactive_button_reply.json", context_wamid=self.reply_wamid, timestamp=time.time() + 1)
        self.deliver("location_message.json", timestamp=time.time() + 1)
        wait_for(lambda: page.message("return li.dataset.type === 'location'"), "the location message")

    def check_retry_after_503(self):
        """WhatsApp unreachable (503): the reason in words; sending again reuses the Idempotency-Key → one message."""
        page = self.page
        text = f"Your order is on its way. ({uuid.uuid4().hex[:6]})"
        self.graph.control("knobs", {"families": {"messages": {"failure": {"mode": "error", "status": 503,
                                                                             "code": 131000, "count": 1}}}})
        page.type_reply(text)
        error = wait_for(lambda: self.driver.find_element("id", "composer-error").text, "the 503 explained")
        if "not reachable" not in error or "will not send the message twice" not in error:
            raise Failure(f"a 503 upstream_unavailable should read as a sentence with its retry advice, it reads {error!r}")
        box = self.driver.find_element("id", "composer-text")
        if box.get_attribute("value") != text:
            raise Failure("after a 503 the text must stay in the reply box for the retry")
        from selenium.webdriver.common.keys import Keys
        box.send_keys(Keys.ENTER)
        wait_for(lambda: (m := page.message_with_text(text, "outbound")) and m["status"] == "sent",
                 "the retried reply to show as sent")
        rows = self.db.values(f"SELECT status FROM messages WHERE body = '{text}'")
        if rows != ["sent"]:
            raise Failure(f"the retry after a 503 should leave one sent message, the database holds {rows}")
        if self.driver.find_element("id", "composer-error").text:
            raise Failure("the 503 error stayed on screen after the retry succeeded")

    def check_image_after_202(self):
        """An image whose download is slow: a placeholder while the API answers 202, then the picture's bytes."""
        page = self.page
        # Downloads take 3 s: the page asks within a second of the message, so its first answer is a 202.
        self.graph.control("knobs", {"families": {"media_download": {"latency_ms": 3000}}})
        before_202 = route_requests(self.server, MEDIA_ROUTE, "GET", 202)
        # Record every state an image placeholder goes through (polling could miss a short one).
        page.js("window.__mediaStates = [];"
                "new MutationObserver((changes) => { for (const c of changes) {"
                "  const el = c.target; if (el.matches && el.matches('.media.image')) window.__mediaStates.push(el.dataset.state);"
                "}}).observe(document.getElementById('message-list'), {subtree: true, attributes: true, attributeFilter: ['data-state']});")
        media_id = f"browser-image-{uuid.uuid4().hex[:8]}"
        self.deliver("image_message.json", media_id=media_id)
        message = wait_for(lambda: page.message("return li.dataset.type === 'image' && li.textContent.includes('in red')"),
                           "the image message in the thread")
        ready = wait_for(lambda: (m := page.message("return li.dataset.id === args[0]", message["id"]))
                         and m["mediaState"] == "ready" and m, "the image to load after the 202", timeout=30)
        self.graph.control("knobs", {"families": {"media_download": {"latency_ms": 0}}})
        states = page.js("return window.__mediaStates")
        if "pending" not in states:
            raise Failure(f"the image never showed its 'downloading' placeholder (states seen: {states})")
        if route_requests(self.server, MEDIA_ROUTE, "GET", 202) <= before_202:
            raise Failure("the media route never answered 202, so the placeholder path was not exercised")
        if not (ready["imgSrc"] or "").startswith("blob:"):
            raise Failure(f"the image should be shown from a blob: URL, its src is {ready['imgSrc']!r}")
        # The page's CSP (connect-src 'self') does not let a script read blob: URLs back, so the page reports the
        # blob's size, and the test checks that the same route chain (202 → 302 → signed /media URL) serves the
        # file the server verified, byte for byte.
        page_bytes = page.js("return document.querySelector(arguments[0]).dataset.bytes",
                             f'li[data-id="{message["id"]}"] .media.image')
        stored_sha, stored_size = self.db.value(
            f"SELECT coalesce(media_sha256, '') || '|' || coalesce(media_file_size, -1) FROM messages "
            f"WHERE id = '{message['id']}'").split("|")
        if page_bytes != stored_size:
            raise Failure(f"the page holds {page_bytes} bytes of the image, the stored file has {stored_size}")
        served = self.fetch_media(message["id"])
        digest = hashlib.sha256(served).digest()
        if stored_sha not in (digest.hex(), base64.b64encode(digest).decode()) or len(served) != int(stored_size):
            raise Failure(f"the media route serves {len(served)} bytes (sha256 {digest.hex()}), the stored file has "
                          f"{stored_size} bytes (sha256 {stored_sha})")

    def fetch_media(self, message_id):
        """GET /messages/media/{id} as the page does (bearer token, 302 followed); answers the bytes."""
        auth = {"Authorization": f"Bearer {self.token}"}
        status, headers, _ = harness.request(self.server.port, "GET", f"/messages/media/{message_id}", headers=auth)
        location = {k.lower(): v for k, v in headers.items()}.get("location", "")
        if status != 302 or not location.startswith("/media/"):
            raise Failure(f"the stored image answers {status} (Location {location!r}), expected 302 to /media/...")
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10 * SCALE)
        try:
            connection.request("GET", location)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise Failure(f"the signed media URL answers {response.status}")
        return body

    def check_outside_window_error(self):
        """Outside the 24 h window with no approved template: the 422 explained in a sentence."""
        page = self.page
        closed = self.db.value("SELECT id FROM conversations WHERE status = 'open' AND "
                               "last_inbound_at < now() - interval '25 hours' ORDER BY last_message_at DESC LIMIT 1")
        if not closed:
            raise Failure("the seed has no open conversation whose window is closed")
        before = route_requests(self.server, SEND_ROUTE, "POST", 422)
        page.go(f"#/conversations/{closed}")
        page.wait_thread(closed, "the closed-window thread")
        pill = self.driver.find_element("id", "thread-window").get_attribute("title")
        if "closed" not in pill:
            raise Failure(f"the thread header should say the window is closed, it says {pill!r}")
        page.type_reply("Hello again, are you still interested?")
        error = wait_for(lambda: self.driver.find_element("id", "composer-error").text, "the send error", timeout=15)
        if "24-hour reply window is closed" not in error or "no approved" not in error:
            raise Failure(f"the 422 no_approved_template should read as a sentence, it reads {error!r}")
        if route_requests(self.server, SEND_ROUTE, "POST", 422) != before + 1:
            raise Failure("the error shown did not come from one 422 of the send route")
        self.extra_shots.append(self.shot("send-error-1280x800.png"))
        self.closed_conversation = closed

    def check_media_once(self):
        """Ten openings of a thread with unstored media (reloads included) → exactly one check-media request."""
        page = self.page
        target = self.db.value(
            "SELECT m.conversation_id FROM messages m JOIN conversations cv ON cv.id = m.conversation_id "
            f"WHERE cv.status = 'open' AND m.media_id IS NOT NULL AND m.conversation_id <> '{self.closed_conversation}' "
            "ORDER BY cv.last_message_at DESC OFFSET 3 LIMIT 1")
        # Its media ids expired at Meta: downloads fail, the media stays unstored, so every opening would ask.
        media_ids = self.db.values(f"SELECT media_id FROM messages WHERE conversation_id = '{target}' AND media_id IS NOT NULL")
        self.graph.control("knobs", {"expired_media": media_ids})
        before = route_requests(self.server, CHECK_MEDIA_ROUTE, "POST")
        for opening in range(10):
            if opening % 2 == 0:
                page.open(f"/#/conversations/{target}")        # a reload: sessionStorage must remember the call
            else:
                page.go("#/")
                wait_for(lambda: page.view() == "list", "the list view")
                page.go(f"#/conversations/{target}")
            page.wait_thread(target, f"opening {opening + 1} of the check-media thread")
            if opening == 0:
                wait_for(lambda: route_requests(self.server, CHECK_MEDIA_ROUTE, "POST") == before + 1,
                         "the first opening's check-media request at the server")
        time.sleep(1.0 * SCALE)  # a late request of the last opening would still be counted
        calls = route_requests(self.server, CHECK_MEDIA_ROUTE, "POST") - before
        if calls != 1:
            raise Failure(f"opening a thread 10 times sent {calls} check-media requests, expected exactly 1")

    def check_reconnect(self):
        """The server restarts: the page shows it is offline, reconnects with backoff, and reloads what it missed."""
        page = self.page
        state = lambda: page.js("return document.getElementById('live-state').dataset.state")
        page.go(f"#/conversations/{self.conversation}")
        page.wait_thread(self.conversation)
        page.wait_live()
        self.server.stop()
        wait_for(lambda: state() == "offline", "the page to notice the stream ended")
        # Written while no server runs: no event will ever announce it, only the reload on reconnect shows it.
        missed = f"Sent while you were offline ({uuid.uuid4().hex[:6]})"
        self.db.execute("INSERT INTO messages (account_id, conversation_id, wa_message_id, direction, type, body, "
                        "status, timestamp) SELECT account_id, id, 'wamid.browser.offline', 'inbound', 'text', "
                        f"'{missed}', 'received', now() FROM conversations WHERE id = '{self.conversation}'")
        port = self.server.port
        restarted = harness.Process([harness.SERVER_BIN, "serve", "--no-migrate"], self.server.env,
                                    os.path.join(self.run_dir, "server-restarted.log"),
                                    lambda: harness.request(port, "GET", "/health", timeout=1)[0] == 200,
                                    timeout=30 * SCALE)
        self.processes.append(restarted)
        wait_for(lambda: state() == "live", "the event stream to reconnect", timeout=40)
        wait_for(lambda: page.message_with_text(missed, "inbound"), "the message missed while offline (reload on reconnect)")
        text = f"Back online? ({uuid.uuid4().hex[:6]})"
        self.deliver("text_message.json", text=text)
        wait_for(lambda: page.message_with_text(text, "inbound"), "a live message over the new stream")

    def check_screenshots(self):
        """The list and the thread at 1280×800 and 390×844 (list OR thread with a back button when narrow)."""
        page = self.page
        shots = []
        for width, height in ((1280, 800), (390, 844)):
            set_viewport(self.driver, width, height)
            page.open("/#/")
            wait_for(lambda: page.view() == "list" and
                     self.driver.find_elements("css selector", f'a.conv[data-id="{self.conversation}"]'),
                     f"the list at {width}x{height}")
            time.sleep(0.3)
            shots.append(self.shot(f"list-{width}x{height}.png"))
            page.go(f"#/conversations/{self.conversation}")
            page.wait_thread(self.conversation)
            wait_for(lambda: page.message("return li.dataset.type === 'image'")["mediaState"] in ("ready", "error"),
                     "the image in the thread")
            time.sleep(0.3)
            shots.append(self.shot(f"thread-{width}x{height}.png"))
            narrow = width < 720
            if page.visible("thread-back") != narrow or (not page.visible("conversation-list")) != narrow:
                raise Failure(f"at {width}x{height} the thread view should {'hide' if narrow else 'keep'} the list "
                              f"and {'show' if narrow else 'hide'} the back button")
            if narrow:
                self.driver.find_element("id", "thread-back").click()
                wait_for(lambda: page.view() == "list" and page.visible("conversation-list"), "the back button to the list")
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        self.screenshots = shots

    def shot(self, name):
        path = os.path.join(self.out, name)
        self.page.screenshot(path)
        return path

    def check_console(self):
        problems = self.console.fatal()
        if problems:
            raise Failure("the browser console reports errors:\n  " + "\n  ".join(problems[:10]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="folder for screenshots and logs (default: a new temp dir)")
    args = parser.parse_args()
    out = os.path.abspath(args.out or tempfile.mkdtemp(prefix="inbox-browser."))
    os.makedirs(out, exist_ok=True)
    for variable in ("PG_URL", "REDIS_URL"):
        if not os.environ.get(variable):
            print(f"browser tests: {variable} is not set (use tests/browser/run.sh to start Postgres and Redis)",
                  file=sys.stderr)
            return 2

    test = BrowserTest(out)
    try:
        test.start_browser()
    except Skip as reason:
        print(f"browser tests SKIPPED: {reason}")
        return 0

    started = time.time()
    checks = [
        ("sign in (?token= deep link, 401, paste) and open a conversation", test.check_sign_in),
        ("a webhook's message appears live", test.check_live_message),
        ("a reply's tick goes to delivered; a failed one shows Meta's error", test.check_reply_and_ticks),
        ("a retry after a 503 sends once (same Idempotency-Key)", test.check_retry_after_503),
        ("an image loads after the 202", test.check_image_after_202),
        ("the outside-window 422 is shown in words", test.check_outside_window_error),
        ("a photo attached in the composer is uploaded with progress and sent once", lambda: check_attachment(test)),
        ("the reply action quotes a message; Meta gets its context", lambda: check_reply(test)),
        ("a reaction picked on a message shows under it and goes to Meta once", lambda: check_reaction(test)),
        ("Retry on a failed message sends its text again, once", lambda: check_retry_failed(test)),
        ("a template to a new number from 'New': fields, preview, Meta's refusal, the new thread",
         lambda: check_template_to_new_number(test)),
        ("10 openings of a thread → exactly one check-media call", test.check_media_once),
        ("screenshots at 1280x800 and 390x844", test.check_screenshots),
        ("the event stream reconnects after a server restart", test.check_reconnect),
        ("no CSP violation or script error in the console", test.check_console),
    ]
    failed = None
    name = "set-up (database, fake Graph, server)"
    try:
        test.start_services()
        for name, check in checks:
            began = time.time()
            check()
            print(f"ok    {name} ({time.time() - began:.1f}s)", flush=True)
    except Exception as error:
        failed = error
        first_line = (str(error).strip().splitlines() or [repr(error)])[0]
        print(f"FAIL  {name}: {first_line if not isinstance(error, Failure) else error}", file=sys.stderr)
        if not isinstance(error, Failure):  # a bug of the test or the harness: the whole story, in a file
            with open(os.path.join(out, "failure-traceback.txt"), "w") as f:
                traceback.print_exc(file=f)
            print(f"      ({type(error).__name__}; traceback in {out}/failure-traceback.txt)", file=sys.stderr)
        try:
            test.driver.save_screenshot(os.path.join(out, "failure.png"))
        except Exception:
            pass
    finally:
        test.stop()
    elapsed = time.time() - started
    if failed:
        print(f"browser tests FAILED after {elapsed:.0f}s; screenshots, console and server logs in {out}",
              file=sys.stderr)
        return 1
    print(f"browser tests passed in {elapsed:.0f}s (scale ×{SCALE:g}); screenshots in {out}:")
    for path in test.screenshots + test.extra_shots:
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
