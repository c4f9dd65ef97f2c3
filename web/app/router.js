// Hash routes, so deep links work with a server that only serves "/": #/ (the list) and
// #/conversations/{id} (a thread).

const CONVERSATION = /^#\/conversations\/([0-9a-fA-F-]{36})$/;

export function currentRoute() {
  const match = CONVERSATION.exec(window.location.hash);
  return match ? { view: 'thread', conversationId: match[1].toLowerCase() } : { view: 'list' };
}

export function conversationHref(id) {
  return `#/conversations/${id}`;
}

export function goToList() {
  if (currentRoute().view !== 'list') window.location.hash = '#/';
}

export function onRouteChange(handler) {
  window.addEventListener('hashchange', () => handler(currentRoute()));
}
