"""Locust load for people who already use it (Debian's python3-locust, /usr/bin/locust).

Closed-loop: prefer loadtest/bench.sh + inbox-loadgen for figures (open-loop, no coordinated omission).

    locust -f loadtest/locustfile.py --host http://127.0.0.1:8080 --headless -u 10 -r 2 -t 60s --csv out

Without LOCUST_AUTH_TOKEN only /health is exercised. With LOCUST_AUTH_TOKEN, LOCUST_ACCOUNT_ID and
LOCUST_CONVERSATION_ID the protected endpoints run too (the seed scenario's endpoints: lists, both send routes,
media, contact info, check-media); with LOCUST_WEBHOOK_SECRET, signed webhook deliveries are posted, messages and
statuses (each with a unique wamid). The gating figures come from `loadtest/bench.sh --scenario seed` (open loop).
"""
import hashlib
import hmac
import json
import os
import time
import uuid

from locust import HttpUser, between, task

TOKEN = os.environ.get("LOCUST_AUTH_TOKEN")
ACCOUNT_ID = os.environ.get("LOCUST_ACCOUNT_ID")
CONVERSATION_ID = os.environ.get("LOCUST_CONVERSATION_ID")
CONTACT_ID = os.environ.get("LOCUST_CONTACT_ID")
MESSAGE_ID = os.environ.get("LOCUST_MESSAGE_ID")
WEBHOOK_SECRET = os.environ.get("LOCUST_WEBHOOK_SECRET")
PHONE_NUMBER_ID = os.environ.get("LOCUST_PHONE_NUMBER_ID", "106540352242922")


def delivery_body(value):
    """A signed-ready webhook body: one `messages` change of the configured phone number carrying `value`."""
    value = dict(value, messaging_product="whatsapp",
                 metadata={"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID})
    return json.dumps({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}],
    }, separators=(",", ":")).encode()


def status_body():
    return delivery_body({"statuses": [{"id": "wamid.locust." + uuid.uuid4().hex, "status": "delivered",
                                        "timestamp": str(int(time.time())), "recipient_id": "16505551234"}]})


def webhook_body():
    return delivery_body({
        "contacts": [{"profile": {"name": "Locust"}, "wa_id": "16505551234"}],
        "messages": [{"from": "16505551234", "id": "wamid.locust." + uuid.uuid4().hex,
                      "timestamp": str(int(time.time())), "type": "text", "text": {"body": "hello from locust"}}],
    })


class HealthUser(HttpUser):
    wait_time = between(0.1, 0.5)

    @task
    def health(self):
        self.client.get("/health", name="/health")


if TOKEN and ACCOUNT_ID and CONVERSATION_ID:
    class InboxUser(HttpUser):
        wait_time = between(0.1, 0.5)

        def on_start(self):
            self.client.headers["Authorization"] = f"Bearer {TOKEN}"

        @task(5)
        def conversations(self):
            self.client.get(f"/accounts/{ACCOUNT_ID}/conversations?limit=50", name="/accounts/{id}/conversations")

        @task(5)
        def messages(self):
            self.client.get(f"/conversations/{CONVERSATION_ID}/messages?limit=50",
                            name="/conversations/{id}/messages")

        @task(1)
        def send(self):
            self.client.post("/messages/send", name="/messages/send",
                             json={"conversation_id": CONVERSATION_ID, "text": "Locust reply"},
                             headers={"Idempotency-Key": uuid.uuid4().hex})

        @task(1)
        def send_with_auto_template(self):
            self.client.post("/messages/send-with-auto-template", name="/messages/send-with-auto-template",
                             json={"conversation_id": CONVERSATION_ID, "text": "Locust says hi"},
                             headers={"Idempotency-Key": uuid.uuid4().hex})

        @task(1)
        def check_media(self):
            self.client.post(f"/messages/check-media/{CONVERSATION_ID}", name="/messages/check-media/{id}")

        @task(1)
        def media(self):
            if MESSAGE_ID:
                self.client.get(f"/messages/media/{MESSAGE_ID}", name="/messages/media/{id}", allow_redirects=False)

        @task(1)
        def contact_info(self):
            if CONTACT_ID:
                self.client.get(f"/contacts/{CONTACT_ID}/whatsapp-info", name="/contacts/{id}/whatsapp-info")


if WEBHOOK_SECRET:
    class WebhookUser(HttpUser):
        wait_time = between(0.05, 0.2)

        @task(3)
        def delivery(self):
            self.post_signed(webhook_body())

        @task(1)
        def status(self):
            self.post_signed(status_body())

        def post_signed(self, body):
            signature = hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
            self.client.post("/webhook/whatsapp", data=body, name="/webhook/whatsapp",
                             headers={"Content-Type": "application/json",
                                      "X-Hub-Signature-256": "sha256=" + signature})
