// Wiring: sign-in, account choice, routes, live events → list, thread and composer.
import { api, setUnauthorizedHandler } from './api.js';
import { clearToken, getToken, setToken, takeTokenFromUrl } from './auth.js';
import { Composer } from './composer.js';
import { ConversationList } from './conversation-list.js';
import { $, h } from './dom.js';
import { LiveUpdates } from './live.js';
import { conversationHref, currentRoute, goToList, onRouteChange } from './router.js';
import { TemplateDialog } from './template-dialog.js';
import { Thread } from './thread.js';

const ACCOUNT_KEY = 'inbox.account';
const TITLE = 'WhatsApp Inbox';

const list = new ConversationList();
const thread = new Thread({
  onWindow: (state) => composer.setWindow(state.open),
  announce,
  onReply: (messageId, text) => composer.replyTo(messageId, text),
  onError: (text) => composer.showError(text),
});
const composer = new Composer({ onSent: (message, retried) => thread.addSent(message, retried) });
const templates = new TemplateDialog({
  onSent: (message, conversation, { started }) => {
    if (conversation) list.upsert(conversation);
    if (started && conversation) {
      window.location.hash = conversationHref(conversation.id);
    } else {
      thread.addSent(message, false);
    }
  },
});
$('composer-template').addEventListener('click', () => {
  if (thread.conversation) templates.open({ accountId: thread.conversation.account_id, conversationId: thread.conversation.id });
});
$('new-conversation').addEventListener('click', () => {
  if (accountId) templates.open({ accountId, conversationId: null });
});
const live = new LiveUpdates({
  onEvent,
  onOpen: () => {
    list.refresh().catch(() => {});
    thread.refresh().catch(() => {});
  },
  onState: (state, delay) => {
    const badge = $('live-state');
    const text = state === 'live' ? 'Live updates: connected'
      : state === 'offline' ? `Live updates: offline, retrying in ${Math.round(delay / 1000)} s` : 'Live updates: connecting';
    badge.dataset.state = state;
    badge.title = text;
    badge.firstElementChild.textContent = text;
    // The stream cannot report a 401; a cheap authenticated call can (and leads back to sign-in).
    if (state === 'offline') api('/accounts').catch(() => {});
  },
});

let accounts = [];
let accountId = null;
let started = false;

function setView(view) {
  document.body.dataset.view = view;
  $('signin-view').hidden = view !== 'signin';
  $('app-view').hidden = view === 'signin' || view === 'loading';
}

function announce(text) {
  $('announce').textContent = text;
}

// --- sign-in ------------------------------------------------------------------------------------------------

function showSignIn(message = '') {
  started = false;
  accountId = null;  // a later sign-in connects the event stream again
  live.close();
  clearToken();
  setView('signin');
  $('signin-error').textContent = message;
  $('token-input').value = '';
  $('token-input').focus();
}

setUnauthorizedHandler(() => {
  if (document.body.dataset.view === 'signin') return;
  showSignIn('Your session has ended or the token was not accepted. Paste a valid token to continue.');
});

$('signin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = $('token-input').value.trim();
  if (!token) {
    $('signin-error').textContent = 'Paste your access token first.';
    return;
  }
  $('signin-submit').disabled = true;
  $('signin-error').textContent = '';
  setToken(token);
  try {
    await start();
  } catch (error) {
    if (error.status === 401) {
      clearToken();
      $('signin-error').textContent = 'That token was not accepted: it may have expired or be meant for another server.';
    } else {
      $('signin-error').textContent = `Could not sign in: ${error.message}`;
    }
    setView('signin');
  } finally {
    $('signin-submit').disabled = false;
  }
});

$('signout').addEventListener('click', () => {
  thread.close();
  composer.hide();
  history.replaceState(null, '', window.location.pathname);
  showSignIn('You are signed out.');
});

// --- accounts -------------------------------------------------------------------------------------------------

async function start() {
  const { body } = await api('/accounts');
  accounts = body.data;
  started = true;
  const select = $('account-select');
  select.replaceChildren(...accounts.map((account) =>
    h('option', { value: account.id }, account.display_phone_number ? `${account.name} · +${account.display_phone_number}` : account.name)));
  select.disabled = accounts.length < 2;
  if (accounts.length === 0) {
    setView('list');
    $('list-status').textContent = 'Your user is not a member of any WhatsApp account yet.';
    return;
  }
  const route = currentRoute();
  const remembered = sessionStorage.getItem(ACCOUNT_KEY);
  let initial = accounts.some((a) => a.id === remembered) ? remembered : accounts[0].id;
  // A deep link decides the account: the conversation's own.
  let linked = null;
  if (route.view === 'thread') {
    linked = await api(`/conversations/${route.conversationId}`).then((r) => r.body).catch(() => null);
    if (linked) initial = linked.account_id;
  }
  await selectAccount(initial);
  const now = currentRoute(); // the reader may have moved on while we loaded
  await showRoute(now, linked && now.conversationId === linked.id ? linked : null);
}

async function selectAccount(id) {
  if (id === accountId && list.accountId === id) return;
  accountId = id;
  sessionStorage.setItem(ACCOUNT_KEY, id);
  $('account-select').value = id;
  live.connect(id, getToken());
  await list.reset(id);
}

$('account-select').addEventListener('change', async (event) => {
  goToList();
  await selectAccount(event.target.value);
});

// --- routes ---------------------------------------------------------------------------------------------------

async function showRoute(route, known) {
  if (!started) return;
  if (route.view === 'thread') {
    setView('thread');
    list.select(route.conversationId);
    composer.reset(route.conversationId);
    try {
      const conversation = await thread.open(route.conversationId, known || list.get(route.conversationId));
      if (!conversation) return;
      if (conversation.account_id !== accountId) await selectAccount(conversation.account_id);
      list.select(conversation.id);
      list.markRead(conversation.id);
      composer.setWindow(conversation.free_window?.open);
      composer.setAccount(conversation.account_id);
      document.title = `${$('thread-title').textContent} · ${TITLE}`;
    } catch {
      composer.hide(); // thread.open already says why in the thread pane
    }
  } else {
    setView('list');
    list.select(null);
    thread.close();
    composer.hide();
    document.title = TITLE;
  }
}

onRouteChange((route) => showRoute(route));

// --- live events ------------------------------------------------------------------------------------------------

function onEvent(type, data) {
  if (type === 'conversation.updated') {
    // The open thread was just marked read: an update computed before that must not bring the badge back.
    const open = thread.conversation && thread.conversation.id === data.id;
    list.upsert(open && document.visibilityState === 'visible' ? { ...data, unread_count: 0 } : data);
    thread.applyConversation(data);
  } else {
    thread.onMessage(type, data);
  }
}

// Back to a tab that was hidden while messages came in: they are read now.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState !== 'visible' || !thread.conversation) return;
  list.markRead(thread.conversation.id);
  thread.markRead();
});

// Countdowns of the reply windows.
setInterval(() => {
  list.tick();
  thread.tick();
}, 30000);

// --- boot -----------------------------------------------------------------------------------------------------

takeTokenFromUrl();
if (getToken()) {
  start().catch((error) => {
    if (error.status !== 401) showSignIn(`Could not load the inbox: ${error.message}`);
  });
} else {
  showSignIn();
}
