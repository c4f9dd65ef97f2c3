"""The web inbox's template dialog (API.md Part 2, "Templates with components, and new conversations"): "New"
writes first to a number with an approved template — a field per parameter, a live preview of the filled body —
and opens the new conversation with the template in it; a number WhatsApp does not know is refused in words."""
import base64
import json

from support import Failure, wait_for

COMPONENTS = [
    {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}"},
    {"type": "BODY", "text": "Hi {{1}}, your order {{2}} has shipped."},
    {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Track", "url": "https://shop.test/t/{{1}}"}]},
]
NUMBER = "16505559777"


def store_template(test):
    """Stored for the account as a sync would, and known to the fake Graph, which checks sends against it."""
    body = COMPONENTS[1]["text"].replace("'", "''")
    # Base64 through SQL: the harness hands statements to psql inside a shell's double quotes.
    components = base64.b64encode(json.dumps(COMPONENTS).encode()).decode()
    test.db.execute("INSERT INTO message_templates (account_id, name, language, category, status, body_text,"
                    f" parameter_count, components) VALUES ('{test.db.account_id}', 'order_update', 'en_US',"
                    f" 'UTILITY', 'APPROVED', '{body}', 2, convert_from(decode('{components}', 'base64'), 'UTF8')::jsonb)")
    test.graph.control("templates", {"templates": [{"name": "order_update", "language": "en_US",
                                                    "status": "APPROVED", "components": COMPONENTS}]})


def fill(page, element_id, text):
    box = page.driver.find_element("id", element_id)
    box.clear()
    box.send_keys(text)


def check_template_to_new_number(test):
    page = test.page
    store_template(test)
    page.go("#/")
    wait_for(lambda: page.view() == "list", "the conversation list")
    page.driver.find_element("id", "new-conversation").click()
    wait_for(lambda: page.js("return document.getElementById('template-dialog').open"), "the template dialog")
    wait_for(lambda: page.driver.find_elements("id", "template-body-2"), "a field per parameter of order_update")

    # A number WhatsApp does not know: Meta's 131026, said in words, the dialog still open for another try.
    test.graph.control("knobs", {"undeliverable_to": ["16505550404"]})
    fill(page, "template-number", "+1 650 555 0404")
    fill(page, "template-header-text", "#1234")
    fill(page, "template-body-1", "Sheena")
    fill(page, "template-body-2", "#1234")
    fill(page, "template-button-0", "1234")
    preview = page.js("return document.getElementById('template-preview').textContent")
    if preview != "Hi Sheena, your order #1234 has shipped.":
        raise Failure(f"the preview shows {preview!r}, not the filled body")
    test.extra_shots.append(test.shot("template-dialog-1280x800.png"))
    page.driver.find_element("id", "template-send").click()
    error = wait_for(lambda: page.js("return document.getElementById('template-error').textContent"),
                     "the refusal of a number that is not on WhatsApp")
    if "131026" not in error:
        raise Failure(f"the dialog says {error!r}, not Meta's refusal 131026")

    fill(page, "template-number", NUMBER)
    sends_before = len(test.graph.requests("messages"))
    page.driver.find_element("id", "template-send").click()
    conversation = wait_for(lambda: test.conversation_of(NUMBER), "the new number's conversation in the DB")
    page.wait_thread(conversation, "the new conversation opened after the send")
    wait_for(lambda: (m := page.message_with_text("Hi Sheena, your order #1234 has shipped.", "outbound"))
             and m["status"] == "sent" and m, "the template in the new thread, sent")
    wait_for(lambda: page.driver.find_elements("css selector", f'a.conv[data-id="{conversation}"]'),
             "the new conversation in the list")
    sent = [r["json"] for r in test.graph.requests("messages")[sends_before:]]
    if len(sent) != 1 or sent[0]["to"] != NUMBER or sent[0]["template"]["name"] != "order_update":
        raise Failure(f"Meta got {sent}, expected order_update once to {NUMBER}")
    kinds = [(c["type"], c.get("index")) for c in sent[0]["template"]["components"]]
    if kinds != [("header", None), ("body", None), ("button", "0")]:
        raise Failure(f"the template went out with components {kinds}")
    test.extra_shots.append(test.shot("template-new-conversation-1280x800.png"))
