// The conversation list of one account: most recent first, infinite scroll over limit/offset, kept current by
// conversation.updated events, keyboard navigable (arrow keys move between conversations, Enter opens).
import { api, query } from './api.js';
import { $, h, icon } from './dom.js';
import { displayName, freeWindow, initials, listTime, tone } from './format.js';
import { conversationHref } from './router.js';

const PAGE = 30;

export class ConversationList {
  constructor() {
    this.list = $('conversation-list');
    this.status = $('list-status');
    this.items = [];          // conversations in display order
    this.byId = new Map();
    this.selectedId = null;
    this.generation = 0;      // bumps on reset so answers of an older account are dropped
    this.list.addEventListener('keydown', (event) => this.onKeydown(event));
    // Infinite scroll: the sentinel under the last item coming into view loads the next page.
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) this.loadMore();
    }, { root: this.list.parentElement, rootMargin: '200px' });
    this.observer.observe($('list-sentinel'));
  }

  async reset(accountId) {
    this.accountId = accountId;
    this.generation += 1;
    this.items = [];
    this.byId.clear();
    this.hasMore = true;
    this.loading = false;
    this.list.replaceChildren();
    await this.loadMore();
  }

  // Reload the first page when the event stream (re)opens: events missed meanwhile are not replayed.
  async refresh() {
    const generation = this.generation;
    const { body } = await api(`/accounts/${this.accountId}/conversations${query({ limit: PAGE, offset: 0 })}`);
    if (generation !== this.generation) return;
    for (const conversation of body.data) this.upsert(conversation);
  }

  async loadMore() {
    if (this.loading || !this.hasMore || !this.accountId) return;
    this.loading = true;
    const generation = this.generation;
    this.status.textContent = 'Loading conversations…';
    try {
      // The offset is what we hold: conversations that moved to the top live are counted like loaded ones, so
      // pages rarely skip or repeat (repeats are merged by id anyway).
      const path = `/accounts/${this.accountId}/conversations${query({ limit: PAGE, offset: this.items.length })}`;
      const { body } = await api(path);
      if (generation !== this.generation) return;
      for (const conversation of body.data) this.upsert(conversation, { append: true });
      this.hasMore = body.pagination.has_more;
      this.status.textContent = this.items.length === 0 ? 'No open conversations yet.' : '';
    } catch (error) {
      if (generation === this.generation) this.status.textContent = `Could not load conversations: ${error.message}`;
      this.hasMore = false;
      setTimeout(() => { this.hasMore = true; }, 5000);
    } finally {
      if (generation === this.generation) this.loading = false;
    }
    // A short first page may not fill the sidebar, so the sentinel never "enters" view: keep loading.
    // (Not while the list is hidden, e.g. behind a thread on a phone: everything would look "in view".)
    const root = this.list.parentElement;
    const sentinel = $('list-sentinel').getBoundingClientRect();
    if (this.hasMore && root.clientHeight > 0 && sentinel.top < root.getBoundingClientRect().bottom + 200) this.loadMore();
  }

  get(id) {
    return this.byId.get(id);
  }

  // Insert or update a conversation at its place in the order (most recent message first).
  upsert(conversation, { append = false } = {}) {
    if (conversation.account_id && conversation.account_id !== this.accountId) return;
    const known = this.byId.get(conversation.id);
    if (conversation.status && conversation.status !== 'open') {
      if (known) this.remove(conversation.id);
      return;
    }
    // Nothing new (a reload after the stream opened, a repeated event): leave the DOM and the focus alone.
    if (known && JSON.stringify(known) === JSON.stringify(conversation)) return;
    const index = known ? this.items.indexOf(known) : -1;
    if (index >= 0) this.items.splice(index, 1);
    let position = this.items.findIndex((other) => before(conversation, other));
    if (position < 0) {
      // Older than everything loaded: only show it if the list is complete, else its page will bring it.
      if (!append && this.hasMore && !known) return;
      position = this.items.length;
    }
    this.items.splice(position, 0, conversation);
    this.byId.set(conversation.id, conversation);
    const element = this.render(conversation);
    const existing = this.element(conversation.id);
    const hadFocus = existing && existing.contains(document.activeElement);
    if (existing) existing.remove();
    this.list.insertBefore(element, this.list.children[position] || null);
    if (hadFocus) element.querySelector('a').focus();
    this.updateTabStops();
  }

  remove(id) {
    const known = this.byId.get(id);
    if (!known) return;
    this.items.splice(this.items.indexOf(known), 1);
    this.byId.delete(id);
    this.element(id)?.remove();
    this.updateTabStops();
  }

  element(id) {
    return this.list.querySelector(`li[data-id="${CSS.escape(id)}"]`);
  }

  select(id) {
    this.selectedId = id;
    for (const link of this.list.querySelectorAll('a.conv')) {
      if (link.dataset.id === id) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
    }
    this.updateTabStops();
  }

  // The unread badge goes at once when a thread is opened (the read call answers later).
  markRead(id) {
    const conversation = this.byId.get(id);
    if (conversation && conversation.unread_count) this.upsert({ ...conversation, unread_count: 0 });
  }

  // Windows close as time passes: re-render the countdowns.
  tick() {
    for (const conversation of this.items) {
      const pill = this.element(conversation.id)?.querySelector('.window-pill');
      if (pill) fillWindowPill(pill, conversation);
    }
  }

  render(conversation) {
    const name = displayName(conversation.contact);
    const unread = conversation.unread_count || 0;
    const pill = h('span', { class: 'window-pill' });
    fillWindowPill(pill, conversation);
    const label = `${name}${unread ? `, ${unread} unread` : ''}, ${conversation.last_message_preview || 'no messages'}`;
    const link = h('a', {
      class: 'conv', href: conversationHref(conversation.id), dataset: { id: conversation.id },
      'aria-label': label, tabindex: '-1',
    },
    h('span', { class: `avatar ${tone(conversation.contact?.id)}`, 'aria-hidden': 'true' }, initials(name)),
    h('span', { class: 'conv-main' },
      h('span', { class: 'conv-top' },
        h('span', { class: 'conv-name' }, name),
        h('time', { class: 'conv-time', datetime: conversation.last_message_at || '' }, listTime(conversation.last_message_at))),
      h('span', { class: 'conv-bottom' },
        h('span', { class: 'conv-preview' }, conversation.last_message_preview || ''),
        pill,
        unread ? h('span', { class: 'badge', dataset: { count: unread } }, unread > 99 ? '99+' : String(unread)) : null)));
    if (conversation.id === this.selectedId) link.setAttribute('aria-current', 'true');
    if (unread) link.classList.add('unread');
    return h('li', { dataset: { id: conversation.id } }, link);
  }

  // Roving tab stop: Tab enters the list once (on the open conversation), arrows move inside it.
  updateTabStops() {
    const links = [...this.list.querySelectorAll('a.conv')];
    const current = links.find((link) => link.dataset.id === this.selectedId) ||
      links.find((link) => link === document.activeElement) || links[0];
    for (const link of links) link.tabIndex = link === current ? 0 : -1;
  }

  onKeydown(event) {
    const links = [...this.list.querySelectorAll('a.conv')];
    const index = links.indexOf(document.activeElement);
    if (index < 0) return;
    let next = null;
    if (event.key === 'ArrowDown') next = links[Math.min(links.length - 1, index + 1)];
    else if (event.key === 'ArrowUp') next = links[Math.max(0, index - 1)];
    else if (event.key === 'Home') next = links[0];
    else if (event.key === 'End') next = links[links.length - 1];
    else if (event.key === ' ') next = links[index]; // Space opens too, like a button
    if (!next) return;
    event.preventDefault();
    if (event.key === ' ') {
      next.click();
      return;
    }
    for (const link of links) link.tabIndex = link === next ? 0 : -1;
    next.focus();
    if (event.key === 'ArrowDown' && index >= links.length - 3) this.loadMore();
  }
}

// Server order: last_message_at descending, nulls last, then id.
function before(a, b) {
  const ta = a.last_message_at ? Date.parse(a.last_message_at) : -Infinity;
  const tb = b.last_message_at ? Date.parse(b.last_message_at) : -Infinity;
  if (ta !== tb) return ta > tb;
  return a.id < b.id;
}

function fillWindowPill(pill, conversation) {
  const state = freeWindow(conversation);
  pill.className = `window-pill ${state.open ? 'open' : 'closed'}`;
  pill.title = state.long;
  pill.replaceChildren(icon('clock'), state.short);
}
