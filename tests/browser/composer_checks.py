"""The composer's attachments (API.md Part 2, "Uploads and outbound media"): a photo picked in the composer is
uploaded (its progress shown), sent with its caption once, and shown in the thread from our own store; a file
WhatsApp would refuse is refused in words before any upload."""
import hashlib
import os
import struct
import uuid
import zlib

from support import Failure, wait_for



def png(width, height):
    """A real RGB PNG (a red-to-orange gradient), so the browser decodes and shows it at a visible size."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (220, 40 + x * 150 // width, 40 + y * 60 // height))
                    for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG = png(240, 160)


def check_attachment(test):
    page = test.page
    page.go(f"#/conversations/{test.conversation}")  # its window is open
    page.wait_thread(test.conversation, "the open-window thread")
    page.js("document.getElementById('composer-text').value = ''")
    refused = os.path.join(test.run_dir, "page.html")
    with open(refused, "w") as f:
        f.write("<script>alert(1)</script>")
    page.driver.find_element("id", "composer-file").send_keys(refused)
    wait_for(lambda: "Not attached" in page.js("return document.getElementById('composer-error').textContent"),
             "the refusal of an HTML file, in words")
    if page.visible("composer-attachment"):
        raise Failure("a file WhatsApp refuses was staged anyway")
    uploads_before = len(test.graph.requests("media_upload"))

    photo = os.path.join(test.run_dir, f"product-{uuid.uuid4().hex[:6]}.png")
    with open(photo, "wb") as f:
        f.write(PNG)
    page.driver.find_element("id", "composer-file").send_keys(photo)
    wait_for(lambda: page.visible("composer-attachment"), "the staged photo above the reply box")
    name = page.js("return document.getElementById('composer-attachment-name').textContent")
    if name != os.path.basename(photo):
        raise Failure(f"the staged attachment is named {name!r}, expected {os.path.basename(photo)!r}")
    test.extra_shots.append(test.shot("composer-attachment-1280x800.png"))
    caption = f"Here it is in red ({uuid.uuid4().hex[:6]})"
    page.type_reply(caption)
    sent = wait_for(lambda: (m := page.message("return li.dataset.type === 'image' && li.textContent.includes(args[0])",
                                               caption)) and m["status"] == "sent" and m["mediaState"] == "ready" and m,
                    "the photo in the thread, sent and shown", timeout=20)
    if page.visible("composer-attachment"):
        raise Failure("the attachment stayed staged after it was sent")

    uploads = test.graph.requests("media_upload")[uploads_before:]
    if len(uploads) != 1:
        raise Failure(f"{len(uploads)} uploads reached Meta for one photo")
    summary = uploads[0]["json"]
    if summary["file"]["sha256"] != hashlib.sha256(PNG).hexdigest() or summary["type"] != "image/png":
        raise Failure(f"Meta got {summary['file']} as {summary['type']}, not the photo's bytes as image/png")
    sends = [r["json"] for r in test.graph.requests("messages") if r.get("json", {}).get("type") == "image"]
    if len(sends) != 1 or sends[0]["image"].get("caption") != caption:
        raise Failure(f"the image went to Meta as {sends}, expected once with its caption")
    stored = test.db.value(f"SELECT media_sha256 FROM messages WHERE id = '{sent['id']}'")
    if stored != hashlib.sha256(PNG).hexdigest():
        raise Failure(f"the sent photo is stored with sha256 {stored!r}")
    test.extra_shots.append(test.shot("composer-photo-sent-1280x800.png"))


def check_reply(test):
    """The reply action on a customer's message quotes it: the composer says so, the send carries reply_to, Meta gets
    its context, and the thread shows the quote."""
    page = test.page
    question = f"Do you ship to Lyon? ({uuid.uuid4().hex[:6]})"
    wamid = test.deliver("text_message.json", text=question)
    target = wait_for(lambda: page.message_with_text(question, "inbound"), "the customer's question in the thread")
    button = page.driver.find_element("css selector", f'li[data-id="{target["id"]}"] .reply-action')
    page.js("arguments[0].click()", button)  # shown on hover or focus; clicked as a keyboard user would
    wait_for(lambda: page.visible("composer-reply"), "the 'Replying to' bar above the reply box")
    quoted = page.js("return document.getElementById('composer-reply-text').textContent")
    if question not in quoted:
        raise Failure(f"the reply bar quotes {quoted!r}, not the question")
    test.extra_shots.append(test.shot("composer-reply-1280x800.png"))
    from selenium.webdriver.common.keys import Keys
    page.driver.find_element("id", "composer-text").send_keys(Keys.ESCAPE)
    wait_for(lambda: not page.visible("composer-reply"), "Esc cancelling the reply")
    page.js("arguments[0].click()", page.driver.find_element("css selector", f'li[data-id="{target["id"]}"] .reply-action'))
    wait_for(lambda: page.visible("composer-reply"), "the 'Replying to' bar again")
    answer = f"Yes, within two days ({uuid.uuid4().hex[:6]})"
    page.type_reply(answer)
    sent = wait_for(lambda: (m := page.message_with_text(answer, "outbound")) and m["status"] == "sent" and m,
                    "the reply in the thread, sent")
    if question not in sent["text"]:
        raise Failure(f"the sent reply does not show the quoted question: {sent['text']!r}")
    if page.visible("composer-reply"):
        raise Failure("the 'Replying to' bar stayed after the reply was sent")
    contexts = [r["json"].get("context", {}).get("message_id") for r in test.graph.requests("messages")
                if r.get("json", {}).get("text", {}).get("body") == answer]
    if contexts != [wamid]:
        raise Failure(f"Meta got the reply with contexts {contexts}, expected once with {wamid}")


def check_reaction(test):
    """A reaction picked on a customer's message goes to Meta as a reaction to its wamid and shows under the bubble;
    picking it again removes it."""
    page = test.page
    text = f"It arrived, thank you! ({uuid.uuid4().hex[:6]})"
    wamid = test.deliver("text_message.json", text=text)
    target = wait_for(lambda: page.message_with_text(text, "inbound"), "the customer's message in the thread")
    chip = f'li[data-id="{target["id"]}"] .reaction-chip[data-emoji="❤️"]'
    option = page.driver.find_element("css selector", f'li[data-id="{target["id"]}"] .reaction-option[data-emoji="❤️"]')
    page.js("arguments[0].click()", option)  # shown on hover or focus; clicked as a keyboard user would
    wait_for(lambda: page.driver.find_elements("css selector", chip), "the heart under the customer's message")
    sent = [r["json"]["reaction"] for r in test.graph.requests("messages") if r.get("json", {}).get("type") == "reaction"]
    if sent != [{"message_id": wamid, "emoji": "❤️"}]:
        raise Failure(f"Meta got reactions {sent}, expected one heart on {wamid}")
    page.js("arguments[0].scrollIntoView({block: 'center'})", page.driver.find_element("css selector", chip))
    test.extra_shots.append(test.shot("thread-reaction-1280x800.png"))
    option = page.driver.find_element("css selector", f'li[data-id="{target["id"]}"] .reaction-option[data-emoji="❤️"]')
    page.js("arguments[0].click()", option)  # our heart again: removed
    wait_for(lambda: not page.driver.find_elements("css selector", chip), "the heart gone after a second click")
    stored = test.db.value(f"SELECT reactions::text FROM messages WHERE id = '{target['id']}'")
    if stored != "[]":
        raise Failure(f"after removing it the message keeps reactions {stored}")


def check_retry_failed(test):
    """A failed message's Retry sends its text again as a new message (the failed one keeps Meta's reason), once
    however the button is pressed: Meta gets the text one more time and the thread shows it sent."""
    page = test.page
    page.go(f"#/conversations/{test.conversation}")
    page.wait_thread(test.conversation, "the thread of the failed reply")
    text = test.failed_text
    failed = wait_for(lambda: (m := page.message_with_text(text, "outbound")) and m["status"] == "failed" and m,
                      "the failed reply in the thread")
    button = page.driver.find_element("css selector", f'li[data-id="{failed["id"]}"] .retry-action')
    if "error 131047" not in page.driver.find_element("css selector", f'li[data-id="{failed["id"]}"] .delivery-error').text:
        raise Failure("the failed reply should say Meta's reason next to its Retry action")
    page.js("arguments[0].scrollIntoView({block: 'center'})", button)
    test.extra_shots.append(test.shot("thread-failed-retry-1280x800.png"))
    before = [r for r in test.graph.requests("messages") if r.get("json", {}).get("text", {}).get("body") == text]
    button.click()
    wait_for(lambda: [s for s in test.db.values(f"SELECT status FROM messages WHERE body = '{text}' ORDER BY created_at")]
             == ["failed", "sent"], "a second message with the same text, sent")
    wait_for(lambda: page.message(f"return li.dataset.id !== '{failed['id']}' && li.classList.contains('outbound')"
                                  " && li.textContent.includes(args[0]) && li.dataset.status === 'sent'", text),
             "the resent message in the thread as sent")
    after = [r for r in test.graph.requests("messages") if r.get("json", {}).get("text", {}).get("body") == text]
    if len(after) != len(before) + 1:
        raise Failure(f"Retry should send the text to Meta once more: {len(before)} calls before, {len(after)} after")
    if page.driver.find_element("css selector", f'li[data-id="{failed["id"]}"]').get_attribute("data-status") != "failed":
        raise Failure("the failed message must stay failed (with its reason) after a retry")
