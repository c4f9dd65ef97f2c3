// Display formatting: times, the free-window countdown, sizes, phone numbers, and API errors in plain words.

const timeOnly = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const shortDate = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const longDate = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const fullDateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const DAY = 24 * 60 * 60 * 1000;

function startOfDay(date) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

// List timestamps: 14:05 today, "Yesterday", a weekday within a week, else 3 Dec.
export function listTime(iso, now = new Date()) {
  if (!iso) return '';
  const date = new Date(iso);
  const days = Math.round((startOfDay(now) - startOfDay(date)) / DAY);
  if (days <= 0) return timeOnly.format(date);
  if (days === 1) return 'Yesterday';
  if (days < 7) return weekday.format(date);
  return shortDate.format(date);
}

export function messageTime(iso) {
  return iso ? timeOnly.format(new Date(iso)) : '';
}

export function fullTime(iso) {
  return iso ? fullDateTime.format(new Date(iso)) : '';
}

// Day separators in a thread: Today, Yesterday, or the full date.
export function dayLabel(iso, now = new Date()) {
  const date = new Date(iso);
  const days = Math.round((startOfDay(now) - startOfDay(date)) / DAY);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return longDate.format(date);
}

export function dayKey(iso) {
  const date = new Date(iso);
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

// "5 h 12 min", "48 min" — for the time left in the 24 h window.
export function duration(ms) {
  const minutes = Math.max(0, Math.floor(ms / 60000));
  const hours = Math.floor(minutes / 60);
  if (hours === 0) return `${minutes} min`;
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

// The free window as the product shows it; `open` is recomputed against the clock because a list loaded an
// hour ago may hold windows that have closed since.
export function freeWindow(conversation, now = Date.now()) {
  const state = conversation.free_window || {};
  const expires = state.expires_at ? Date.parse(state.expires_at) : null;
  if (!expires || expires <= now) {
    return { open: false, short: 'Window closed', long: '24 h window closed · replies are sent as a template' };
  }
  const ms = expires - now;
  const left = duration(ms);
  const short = ms >= 60 * 60 * 1000 ? `${Math.floor(ms / 3600000)} h left` : `${left} left`;
  return { open: true, short, long: `Reply window open · ${left} left` };
}

export function fileSize(bytes) {
  if (bytes === null || bytes === undefined) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

// wa_id is the number without "+": 16505551234 → +1 650 555 1234 for US numbers, else "+" and the digits.
export function phone(waId) {
  if (!waId) return '';
  const us = /^1(\d{3})(\d{3})(\d{4})$/.exec(waId);
  return us ? `+1 ${us[1]} ${us[2]} ${us[3]}` : `+${waId}`;
}

export function displayName(contact) {
  return (contact && (contact.name || phone(contact.wa_id))) || 'Unknown contact';
}

export function initials(name) {
  const words = name.replace(/[^\p{L}\p{N} ]/gu, '').split(/\s+/).filter(Boolean);
  if (words.length === 0) return '#';
  return (words[0][0] + (words.length > 1 ? words[words.length - 1][0] : '')).toUpperCase();
}

// A stable colour per contact (one of the .tone-N classes), so names are told apart at a glance.
export function tone(key) {
  let hash = 0;
  for (const char of key || '') hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `tone-${hash % 6}`;
}

// An ApiError from a send, as a sentence an agent can act on.
export function reactionErrorText(error) {
  if (error.code === 'outside_free_window') {
    return 'Reaction not sent: the customer\'s 24-hour window is closed, and WhatsApp only allows reactions inside it.';
  }
  if (error.code === 'validation_failed') return `Reaction not sent: ${error.message}.`;
  return sendErrorText(error).replace(/^Not sent/, 'Reaction not sent').replace('the message', 'the reaction');
}

export function sendErrorText(error) {
  const details = error.details || {};
  switch (error.code) {
    case 'outside_free_window': {
      const closed = details.window_expired_at ? ` (it closed ${fullTime(details.window_expired_at)})` : '';
      return `Not sent: the customer's 24-hour reply window is closed${closed}. ` +
        'WhatsApp only allows an approved template message until they write again.';
    }
    case 'no_approved_template':
      return 'Not sent: the customer\'s 24-hour reply window is closed and this account has no approved ' +
        're-engagement template to send instead. Once Meta approves one, replies go out as that template; ' +
        'until then you can reply only after the customer writes again.';
    case 'upstream_unavailable': {
      const wait = error.retryAfter ? `in ${error.retryAfter} second${error.retryAfter === 1 ? '' : 's'}` : 'in a moment';
      return `Not sent yet: WhatsApp is not reachable right now. Try again ${wait} — ` +
        'retrying will not send the message twice.';
    }
    case 'upstream_error': {
      const graph = details.graph_error || {};
      const code = graph.code ? ` (error ${graph.code})` : '';
      const why = metaReason(graph);
      return `Not sent: WhatsApp refused the message${code}${why ? `: ${why}` : ''}.`;
    }
    case 'validation_failed':
      return `Not sent: ${error.message}.`;
    case 'not_found':
      return 'Not sent: this conversation no longer exists or you no longer have access to it.';
    case 'network_error':
      return 'Not sent: the server could not be reached. Check your connection and try again.';
    case 'service_unavailable':
      return `Not sent: the inbox is busy or restarting. Try again${error.retryAfter ? ` in ${error.retryAfter} s` : ''}.`;
    default:
      return `Not sent: ${error.message || 'unexpected error'}.`;
  }
}

// Meta's error on a failed outbound message, for the tick's tooltip and the line under the bubble.
export function deliveryErrorText(error) {
  if (!error) return 'Not sent: WhatsApp could not be reached. Send the text again to retry.';
  const why = metaReason(error);
  return `Not delivered${error.code ? ` (error ${error.code})` : ''}${why ? `: ${why}` : ''}`;
}

// Meta's title and details, each once (they often repeat each other), without the "(#131026)" prefix.
function metaReason(error) {
  const clean = (text) => (text || '').replace(/^\(#\d+\)\s*/, '').replace(/\.$/, '').trim();
  const title = clean(error.title || error.message);
  const details = clean(error.details);
  if (!details || details === title) return title;
  if (!title) return details;
  return `${title} — ${details}`;
}
