"""The web inbox as the browser tests drive it: what they do and read on the page, through the DOM the app renders
(ids and data-* attributes)."""
from support import Failure, wait_for


class InboxPage:
    """What the tests do and read on the page, through the DOM the app renders (ids and data-* attributes)."""

    def __init__(self, driver, base):
        self.driver = driver
        self.base = base

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def open(self, path):
        self.driver.get(self.base + path)

    def view(self):
        return self.js("return document.body.dataset.view")

    def thread_ready(self, conversation_id):
        return self.js("const t = document.getElementById('thread');"
                       "return t.dataset.state === 'ready' && t.dataset.conversationId === arguments[0];",
                       conversation_id)

    def wait_thread(self, conversation_id, what="the thread to load"):
        wait_for(lambda: self.thread_ready(conversation_id), f"{what} ({conversation_id})", timeout=15)

    def wait_live(self):
        wait_for(lambda: self.js("return document.getElementById('live-state').dataset.state") == "live",
                 "the event stream to be connected")

    def go(self, hash_route):
        self.js("window.location.hash = arguments[0]", hash_route)

    def message(self, predicate_js, *args):
        """The first message <li> for which `predicate_js` (a function body over `li`) is true, as a dict."""
        return self.js(
            "const test = new Function('li', 'args', arguments[0]);"
            "for (const li of document.querySelectorAll('#message-list li.msg')) {"
            "  if (test(li, arguments[1])) {"
            "    const tick = li.querySelector('.tick');"
            "    const media = li.querySelector('.media.image');"
            "    const shown = media && (media.querySelector('img') || media.querySelector('a.file-download'));"
            "    return {id: li.dataset.id, status: li.dataset.status, text: li.textContent,"
            "            tickTitle: tick ? tick.title : null, tickStatus: tick ? tick.dataset.status : null,"
            "            mediaState: media ? media.dataset.state : null,"
            "            imgSrc: shown ? (shown.src || shown.href) : null,"
            "            decoded: media ? media.dataset.decoded : null};"
            "  }"
            "}"
            "return null;", predicate_js, list(args))

    def message_with_text(self, text, direction=None):
        return self.message("return li.textContent.includes(args[0]) && (!args[1] || li.classList.contains(args[1]));",
                            text, direction)

    def type_reply(self, text):
        from selenium.webdriver.common.keys import Keys
        box = self.driver.find_element("id", "composer-text")
        box.click()
        box.send_keys(text)
        box.send_keys(Keys.ENTER)

    def visible(self, element_id):
        return self.driver.find_element("id", element_id).is_displayed()

    def screenshot(self, path):
        if not self.driver.save_screenshot(path):
            raise Failure(f"could not write the screenshot {path}")
