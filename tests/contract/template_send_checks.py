"""Contract checks of POST /messages/send-template (API.md Part 2): run by openapi_contract_test.py's scenario
after the templates were synced from the fake Graph API (whose `order_update` has one body parameter)."""
import json
import uuid


def check_template_sends(c, call, port, jauth, fx, knobs):
    route = "/messages/send-template"

    def send(label, body, expect, key=None):
        headers = dict(jauth, **({"Idempotency-Key": key} if key else {}))
        return c.check(label, call(port, "POST", route, body=json.dumps(body), headers=headers), expect)

    order_update = {"name": "order_update", "language": "en_US", "body": ["#1234"]}
    key = f"contract-template-{uuid.uuid4().hex}"
    send("template to a conversation outside the window", {"conversation_id": fx.conv_out[0], "template": order_update},
         201, key=key)
    send("template repeat", {"conversation_id": fx.conv_out[0], "template": order_update}, 200, key=key)
    send("template key reused", {"conversation_id": fx.conv_out[0],
                                 "template": dict(order_update, body=["#9"])}, 409, key=key)
    send("template to a new number", {"account_id": fx.account, "wa_id": "16505557001", "template": order_update},
         201)
    send("template wrong parameter count", {"conversation_id": fx.conv_out[0],
                                            "template": dict(order_update, body=[])}, 422)
    send("template not stored", {"conversation_id": fx.conv_out[0],
                                 "template": {"name": "nope", "language": "en_US"}}, 422)
    send("template bad wa_id", {"account_id": fx.account, "wa_id": "+1650", "template": order_update}, 422)
    send("template no template", {"conversation_id": fx.conv_out[0]}, 422)
    send("template other account", {"conversation_id": fx.other_conv, "template": order_update}, 404)
    send("template other account's number", {"account_id": fx.other_account, "wa_id": "16505557002",
                                             "template": order_update}, 404)
    c.check("template invalid JSON", call(port, "POST", route, body="{", headers=jauth), 400)
    c.check("template text/plain", call(port, "POST", route, body="{}", headers=dict(
        jauth, **{"Content-Type": "text/plain"})), 415)
    c.check("template over 1 MiB", call(port, "POST", route, body=b"{" + b" " * (1024 * 1024) + b"}",
                                        headers=jauth), 413)
    knobs({"undeliverable_to": ["16505557003"]})
    send("template to a number not on WhatsApp", {"account_id": fx.account, "wa_id": "16505557003",
                                                  "template": order_update}, 502)
    knobs({"undeliverable_to": [], "families": {"messages": {"failure": {"status": 503, "code": 2, "count": 1}}}})
    send("template during outage", {"conversation_id": fx.conv_out[0], "template": order_update}, 503)
    knobs({"families": {"messages": {"failure": None}}})


def check_reactions(c, call, port, jauth, fx, knobs):
    """POST /messages/{id}/reactions on an inbound message of an open-window conversation (fx.text_message)."""
    route = f"/messages/{fx.text_message}/reactions"

    def react(label, path, body, expect):
        return c.check(label, call(port, "POST", path, body=json.dumps(body), headers=jauth), expect)

    react("reaction", route, {"emoji": "👍"}, 200)
    react("reaction replaced", route, {"emoji": "❤️"}, 200)
    react("reaction removed", route, {"emoji": ""}, 200)
    react("reaction not one emoji", route, {"emoji": "ok"}, 422)
    react("reaction missing emoji", route, {}, 422)
    react("reaction other account", f"/messages/{fx.other_message}/reactions", {"emoji": "👍"}, 404)
    react("reaction unknown message", f"/messages/{uuid.uuid4()}/reactions", {"emoji": "👍"}, 404)
    c.check("reaction invalid JSON", call(port, "POST", route, body="{", headers=jauth), 400)
    knobs({"families": {"messages": {"failure": {"status": 400, "code": 131051, "count": 1}}}})
    react("reaction refused by Meta", route, {"emoji": "👍"}, 502)
    knobs({"families": {"messages": {"failure": {"status": 503, "code": 2, "count": 1}}}})
    react("reaction during outage", route, {"emoji": "👍"}, 503)
    knobs({"families": {"messages": {"failure": None}}})


def check_account_and_typing(c, call, port, jauth, fx, db):
    """PATCH /accounts/{id} (admins only) and POST /conversations/{id}/typing."""
    path = f"/accounts/{fx.account}"

    def patch(label, body, expect, target=path):
        return c.check(label, call(port, "PATCH", target, body=json.dumps(body), headers=jauth), expect)

    db.execute(f"UPDATE account_members SET role = 'agent' WHERE account_id = '{fx.account}'")
    patch("account patch as an agent", {"read_receipts": "on_open"}, 403)
    db.execute(f"UPDATE account_members SET role = 'admin' WHERE account_id = '{fx.account}'")
    patch("account patch", {"read_receipts": "on_open", "default_template": "order_update:en_US"}, 200)
    patch("account patch back", {"read_receipts": "on_reply", "default_template": None}, 200)
    patch("account patch bad policy", {"read_receipts": "sometimes"}, 422)
    patch("account patch other account", {"name": "x"}, 404, target=f"/accounts/{fx.other_account}")
    c.check("account patch invalid JSON", call(port, "PATCH", path, body="{", headers=jauth), 400)
    typing = f"/conversations/{fx.conv_in[0]}/typing"
    c.check("typing", call(port, "POST", typing, headers=jauth), 202)
    c.check("typing again (skipped)", call(port, "POST", typing, headers=jauth), 202)
    c.check("typing other account", call(port, "POST", f"/conversations/{fx.other_conv}/typing", headers=jauth), 404)
