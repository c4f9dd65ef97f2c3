// The open conversation: header with the contact and its reply window, messages oldest→newest (newest at the
// bottom), older pages loaded when scrolling up (pagination.next_before), live message events applied in place.
import { api, query } from './api.js';
import { currentUserId } from './auth.js';
import { $, h, icon } from './dom.js';
import {
  dayKey, dayLabel, displayName, freeWindow, initials, phone, reactionErrorText, sendErrorText, tone,
} from './format.js';
import { checkMediaOnce, needsMediaCheck } from './media.js';
import { renderMessage, summary } from './message-view.js';
import { resend } from './resend.js';

const PAGE = 30;
const NEAR_BOTTOM_PX = 120;

export class Thread {
  constructor({ onWindow, announce, onReply, onError }) {
    this.onError = onError;     // a sentence for the agent when an action on a message failed
    this.onWindow = onWindow;   // the open conversation's reply window, for the composer
    this.onReply = onReply;     // (messageId, its summary): the agent chose to quote it
    this.announce = announce;
    this.scroller = $('messages');
    this.list = $('message-list');
    this.status = $('messages-status');
    this.generation = 0;
    this.conversation = null;
    this.messages = new Map();   // id → message
    this.elements = new Map();   // id → <li>
    this.byWamid = new Map();
    // Arrival order, the tie-breaker for equal timestamps (they have whole seconds): pages come in the server's
    // order (newest first, counted down), live messages as they arrive (counted up).
    this.order = new Map();
    this.oldest = 0;
    this.newest = 0;
    // Older pages: the sentinel above the first message coming into view.
    this.olderObserver = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) this.loadOlder();
    }, { root: this.scroller, rootMargin: '300px 0px 0px 0px' });
    this.olderObserver.observe($('messages-sentinel'));
    // Media loads when its bubble scrolls into view, not for the whole page at once.
    this.mediaObserver = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        this.mediaObserver.unobserve(entry.target);
        const start = this.mediaStarts.get(entry.target);
        this.mediaStarts.delete(entry.target);
        if (start) start();
      }
    }, { root: this.scroller, rootMargin: '200px' });
    this.mediaStarts = new WeakMap();
    // A reader at the bottom stays there while bubbles grow (pictures arriving, quotes resolved, late layout).
    this.stuck = true;
    this.scroller.addEventListener('scroll', () => { this.stuck = this.nearBottom(); }, { passive: true });
    const keepAtBottom = new ResizeObserver(() => { if (this.stuck) this.scrollToBottom(); });
    keepAtBottom.observe(this.list);
    keepAtBottom.observe(this.scroller); // the composer growing (notice, error, long text) shrinks the view
    this.context = {
      find: (key) => (key ? this.messages.get(key) || this.byWamid.get(key) : null),
      reveal: (id) => this.reveal(id),
      observeMedia: (element, start) => {
        this.mediaStarts.set(element, start);
        this.mediaObserver.observe(element);
      },
      contactName: '',
      onReply: (message) => this.onReply && this.onReply(message.id, summary(message)),
      onReact: (message, emoji) => this.react(message, emoji),
      onRetry: (message) => this.retry(message),
      userId: null,
    };
  }

  async open(id, knownConversation) {
    this.generation += 1;
    const generation = this.generation;
    this.pendingId = id;
    this.early = [];   // events for this thread that arrive while its first page loads
    this.conversation = null;
    this.messages.clear();
    this.elements.clear();
    this.byWamid.clear();
    this.order.clear();
    this.oldest = 0;
    this.newest = 0;
    this.list.replaceChildren();
    this.nextBefore = null;
    this.hasOlder = false;
    $('thread-empty').hidden = true;
    $('thread-header').hidden = false;
    this.scroller.hidden = false;
    $('thread').dataset.conversationId = id;
    $('thread').dataset.state = 'loading';
    if (knownConversation) this.renderHeader(knownConversation);
    this.status.textContent = 'Loading messages…';
    try {
      const [conversation, page] = await Promise.all([
        api(`/conversations/${id}`).then((r) => r.body),
        api(`/conversations/${id}/messages${query({ limit: PAGE })}`).then((r) => r.body),
      ]);
      if (generation !== this.generation) return null;
      this.conversation = conversation;
      this.renderHeader(conversation);
      this.addPage(page);
      for (const [type, message] of this.early) this.onMessage(type, message);
      this.early = [];
      this.status.textContent = this.messages.size === 0 ? 'No messages yet.' : '';
      this.scrollToBottom();
      $('thread').dataset.state = 'ready';
      this.markRead();
      if (needsMediaCheck(page.data)) checkMediaOnce(id);
      return conversation;
    } catch (error) {
      if (generation !== this.generation) return null;
      $('thread').dataset.state = 'error';
      this.status.textContent = error.code === 'not_found'
        ? 'This conversation does not exist or you have no access to it.'
        : `Could not load the conversation: ${error.message}`;
      throw error;
    }
  }

  close() {
    this.generation += 1;
    this.conversation = null;
    this.pendingId = null;
    $('thread').dataset.conversationId = '';
    $('thread').dataset.state = 'empty';
    $('thread-empty').hidden = false;
    $('thread-header').hidden = true;
    this.scroller.hidden = true;
    this.list.replaceChildren();
  }

  // When the event stream (re)opens: the newest page again (events missed meanwhile are not replayed).
  async refresh() {
    if (!this.conversation) return;
    const generation = this.generation;
    const id = this.conversation.id;
    const [conversation, page] = await Promise.all([
      api(`/conversations/${id}`).then((r) => r.body),
      api(`/conversations/${id}/messages${query({ limit: PAGE })}`).then((r) => r.body),
    ]);
    if (generation !== this.generation) return;
    this.applyConversation(conversation);
    const stick = this.nearBottom();
    // Missed messages are newer than all we hold: append them oldest first.
    for (const message of [...page.data].reverse()) {
      if (!this.order.has(message.id)) this.order.set(message.id, ++this.newest);
      this.upsert(message);
    }
    this.layout();
    if (stick) this.scrollToBottom();
  }

  async loadOlder() {
    if (!this.hasOlder || this.loadingOlder || !this.conversation) return;
    this.loadingOlder = true;
    const generation = this.generation;
    this.status.textContent = 'Loading earlier messages…';
    try {
      const path = `/conversations/${this.conversation.id}/messages${query({ limit: PAGE, before: this.nextBefore })}`;
      const { body } = await api(path);
      if (generation !== this.generation) return;
      // Keep what the reader looks at in place while content grows above it.
      const fromBottom = this.scroller.scrollHeight - this.scroller.scrollTop;
      this.addPage(body);
      this.scroller.scrollTop = this.scroller.scrollHeight - fromBottom;
      this.status.textContent = this.hasOlder ? '' : 'This is the start of the conversation.';
    } catch (error) {
      if (generation === this.generation) this.status.textContent = `Could not load earlier messages: ${error.message}`;
    } finally {
      this.loadingOlder = false;
    }
  }

  addPage(page) {
    // Known before rendering, so replies can quote messages of the same page (pages come newest first).
    for (const message of page.data) {
      if (!this.order.has(message.id)) this.order.set(message.id, --this.oldest);
      if (!this.messages.has(message.id)) this.messages.set(message.id, message);
      if (message.wa_message_id) this.byWamid.set(message.wa_message_id, message);
    }
    for (const message of page.data) this.upsert(message);
    // Replies on screen whose quoted message came only with this (older) page.
    for (const [id, element] of this.elements) {
      if (element.querySelector('.quote.missing') || element.querySelector('.reaction.missing')) this.upsert(this.messages.get(id));
    }
    this.hasOlder = page.pagination.has_more;
    this.nextBefore = page.pagination.next_before;
    this.layout();
  }

  // A live event, or our send's answer (`fromRetry` false for a first attempt). Answers true when the message
  // belongs to the open thread.
  onMessage(type, message, fromRetry = true) {
    if (!this.conversation) {
      if (message.conversation_id === this.pendingId) this.early.push([type, message]);
      return message.conversation_id === this.pendingId;
    }
    if (message.conversation_id !== this.conversation.id) return false;
    const isNew = !this.messages.has(message.id);
    if (isNew) this.order.set(message.id, ++this.newest);
    const stick = this.nearBottom();
    this.upsert(message, { fromRetry });
    this.layout();
    if (isNew && (stick || message.direction === 'outbound')) this.scrollToBottom();
    if (isNew && message.direction === 'inbound') {
      this.announce(`New message from ${this.context.contactName}: ${summary(message)}`);
      if (document.visibilityState === 'visible') this.markRead();
    }
    return true;
  }

  // Our reaction on `message` ("" removes it): the answer carries the message with its reactions.
  async react(message, emoji) {
    this.context.userId = currentUserId();
    try {
      const { body } = await api(`/messages/${message.id}/reactions`, { method: 'POST', body: { emoji } });
      if (this.messages.has(body.message.id)) this.upsert(body.message);
    } catch (error) {
      if (error.status !== 401 && this.onError) this.onError(reactionErrorText(error));
    }
  }

  // A failed message sent again as a new one; the failed bubble keeps its reason (and its Retry, for another try).
  async retry(message) {
    try {
      this.addSent(await resend(message, this.conversation.account_id), false);
    } catch (error) {
      if (error.status !== 401 && this.onError) this.onError(sendErrorText(error));
    } finally {
      if (this.messages.has(message.id)) this.upsert(this.messages.get(message.id)); // the button usable again
    }
  }

  // The answer of our own send: shown at once, the events that follow update it in place.
  addSent(message, retried) {
    this.onMessage('message.created', message, retried);
  }

  applyConversation(conversation) {
    if (!this.conversation || conversation.id !== this.conversation.id) return;
    this.conversation = { ...this.conversation, ...conversation };
    this.renderHeader(this.conversation);
  }

  upsert(message, { fromRetry = true } = {}) {
    const previous = this.elements.has(message.id) ? this.messages.get(message.id) : null;
    if (previous && !statusMayChange(previous.status, message.status, fromRetry)) {
      message = { ...message, status: previous.status, error: previous.error };
    }
    this.messages.set(message.id, message);
    if (message.wa_message_id) this.byWamid.set(message.wa_message_id, message);
    const element = renderMessage(message, this.context);
    const old = this.elements.get(message.id);
    // A re-render of a loaded image keeps the picture already shown.
    if (old && previous && previous.media && message.media) {
      const oldFigure = old.querySelector('.media.image');
      const newFigure = element.querySelector('.media.image');
      if (oldFigure && newFigure && oldFigure.dataset.state !== 'waiting') newFigure.replaceWith(oldFigure);
    }
    if (old) old.replaceWith(element);
    this.elements.set(message.id, element);
  }

  // Children in time order, with a day separator wherever the day changes. Existing nodes are moved, not rebuilt.
  layout() {
    const ordered = [...this.messages.values()].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp) ||
      this.order.get(a.id) - this.order.get(b.id));
    const children = [];
    let day = null;
    for (const message of ordered) {
      const key = dayKey(message.timestamp);
      if (key !== day) {
        day = key;
        children.push(h('li', { class: 'day-separator', role: 'separator' }, h('span', {}, dayLabel(message.timestamp))));
      }
      children.push(this.elements.get(message.id));
    }
    this.list.replaceChildren(...children);
  }

  renderHeader(conversation) {
    const name = displayName(conversation.contact);
    this.context.contactName = name;
    this.context.userId = currentUserId();
    $('thread-title').textContent = name;
    $('thread-avatar').textContent = initials(name);
    $('thread-avatar').className = `avatar ${tone(conversation.contact?.id)}`;
    $('thread-subtitle').textContent = conversation.contact?.name ? phone(conversation.contact.wa_id) : '';
    this.tick();
  }

  // Re-render the window countdown (called every 30 s).
  tick() {
    const conversation = this.conversation;
    const pill = $('thread-window');
    if (!conversation) {
      pill.textContent = '';
      return;
    }
    const state = freeWindow(conversation);
    pill.className = `window-pill ${state.open ? 'open' : 'closed'}`;
    pill.title = state.long;
    pill.replaceChildren(icon('clock'), h('span', { class: 'pill-long' }, state.long), h('span', { class: 'pill-short' }, state.short));
    this.onWindow(state);
  }

  async markRead() {
    if (!this.conversation) return;
    const id = this.conversation.id;
    try {
      await api(`/conversations/${id}/read`, { method: 'POST' });
    } catch {
      // The badge comes back with the next update; nothing for the agent to do.
    }
  }

  reveal(id) {
    const element = this.elements.get(id);
    if (!element) return;
    element.scrollIntoView({ block: 'center', behavior: 'smooth' });
    element.classList.add('flash');
    setTimeout(() => element.classList.remove('flash'), 1600);
  }

  nearBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
  }

  scrollToBottom() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.stuck = true;
  }
}

// API.md's order: pending < sent < failed < delivered < read. Updates reach us out of order (our POST's answer
// after the event of a later status; two relays of one message overtaking each other), so a status never moves
// backwards — except failed → sent, which is a send repeated under its Idempotency-Key after a 503 (Meta's own
// statuses never do that: the server keeps `failed` over a late `sent`). Our first attempt's answer cannot be such
// a repeat, hence `retry`.
const RANKS = { pending: 0, sent: 1, failed: 2, delivered: 3, read: 4 };
function statusMayChange(from, to, retry) {
  if (from === 'failed' && to === 'sent') return retry;
  return (RANKS[to] ?? -1) >= (RANKS[from] ?? -1);
}
