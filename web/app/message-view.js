// One message as a bubble: quoted reply, body by type (text, image, file, location ...), time and delivery tick.
import { h, icon } from './dom.js';
import { deliveryErrorText, fileSize, fullTime, messageTime } from './format.js';
import { loadMedia, mediaErrorText } from './media.js';
import { canResend } from './resend.js';

const STATUS_LABEL = {
  pending: 'Sending', sent: 'Sent', delivered: 'Delivered', read: 'Read', failed: 'Not delivered',
};
const STATUS_ICON = { pending: 'clock', sent: 'check', delivered: 'checks', read: 'checks', failed: 'alert' };
const TYPE_LABEL = {
  image: 'Photo', sticker: 'Sticker', audio: 'Voice message', video: 'Video', document: 'Document',
  location: 'Location', reaction: 'Reaction', contacts: 'Contact card', interactive: 'Button reply',
  button: 'Button reply', template: 'Template', unsupported: 'Unsupported message', text: 'Message',
};

// `context.find(waMessageIdOrId)` resolves quoted messages; `context.observeMedia(el, start)` loads media lazily;
// `context.onReply(message)` starts a reply that quotes it; `context.onRetry(message)` sends a failed one again.
export function renderMessage(message, context) {
  const outbound = message.direction === 'outbound';
  const body = [renderBody(message, context)].flat().filter(Boolean);
  const bubble = h('div', { class: 'bubble' },
    renderQuote(message, context),
    message.template ? h('p', { class: 'template-tag' }, icon('template'),
      `Template · ${message.template.name} (${message.template.language})`) : null,
    body,
    // The reason is visible, not only in the tick's tooltip: touch screens have no hover.
    outbound && message.status === 'failed' ? h('p', { class: 'delivery-error' }, deliveryErrorText(message.error),
      context.onRetry && canResend(message)
        ? h('button', { type: 'button', class: 'retry-action', title: 'Send this message again',
          onclick: (event) => { event.currentTarget.disabled = true; context.onRetry(message); } }, 'Retry')
        : null) : null,
    h('div', { class: 'meta' },
      h('time', { datetime: message.timestamp, title: fullTime(message.timestamp) }, messageTime(message.timestamp)),
      outbound ? renderTick(message) : null));
  // Time and tick sit on the last line of a text, as in WhatsApp (style.css reserves the room).
  const last = body[body.length - 1];
  if (last && last.classList.contains('text') && message.status !== 'failed') {
    bubble.classList.add('inline-meta');
    // An invisible copy of the time (and tick room) ends the text, so the real one never covers a word.
    last.append(h('span', { class: outbound ? 'meta-spacer with-tick' : 'meta-spacer', 'aria-hidden': 'true' },
      messageTime(message.timestamp)));
  }
  // Only a message WhatsApp has (a wamid) can be quoted by a reply.
  const reply = message.wa_message_id && context.onReply
    ? h('button', { type: 'button', class: 'reply-action', title: 'Reply to this message',
      'aria-label': 'Reply to this message', onclick: () => context.onReply(message) }, '↩')
    : null;
  // A reaction needs the message on WhatsApp too; reaction messages themselves are not reacted to.
  const react = message.wa_message_id && context.onReact && message.type !== 'reaction'
    ? renderReactionPicker(message, context)
    : null;
  const actions = h('div', { class: 'msg-actions' }, reply, react);
  const column = h('div', { class: 'msg-column' }, bubble, renderReactions(message, context));
  return h('li', {
    class: `msg ${outbound ? 'outbound' : 'inbound'} type-${message.type}`, id: `msg-${message.id}`,
    dataset: { id: message.id, status: message.status, type: message.type },
  }, outbound ? [actions, column] : [column, actions]);
}

const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'];

// Each side's current reaction under the bubble, as in WhatsApp: the customer's and each agent's.
function renderReactions(message, context) {
  const reactions = message.reactions || [];
  if (!reactions.length) return null;
  return h('ul', { class: 'reactions', 'aria-label': 'Reactions' }, reactions.map((r) => {
    const who = r.direction === 'inbound' ? (context.contactName || 'Customer') : (r.user_id === context.userId ? 'You' : r.user_id);
    return h('li', { class: `reaction-chip ${r.direction}`, title: `${who} · ${fullTime(r.at)}`, dataset: { emoji: r.emoji } },
      h('span', { 'aria-hidden': 'true' }, r.emoji), h('span', { class: 'sr-only' }, `${who} reacted ${r.emoji}`));
  }));
}

// A small picker shown on hover or focus: a quick emoji reacts (again: replaces ours), ours again removes it.
function renderReactionPicker(message, context) {
  const mine = (message.reactions || []).find((r) => r.direction === 'outbound' && r.user_id === context.userId);
  const options = QUICK_REACTIONS.map((emoji) => h('button', {
    type: 'button', class: `reaction-option${mine && mine.emoji === emoji ? ' chosen' : ''}`,
    title: mine && mine.emoji === emoji ? 'Remove your reaction' : `React ${emoji}`,
    'aria-label': mine && mine.emoji === emoji ? 'Remove your reaction' : `React ${emoji}`,
    dataset: { emoji },
    onclick: () => context.onReact(message, mine && mine.emoji === emoji ? '' : emoji),
  }, emoji));
  return h('div', { class: 'reaction-picker', role: 'group', 'aria-label': 'React to this message' }, options);
}

export function renderTick(message) {
  let title = STATUS_LABEL[message.status] || message.status;
  if (message.status === 'failed') title = deliveryErrorText(message.error);
  else if (message.error) title += ` (earlier: ${deliveryErrorText(message.error)})`;
  return h('span', {
    class: `tick tick-${message.status}`, title, role: 'img', 'aria-label': title, dataset: { status: message.status },
  }, icon(STATUS_ICON[message.status] || 'check'));
}

export function summary(message) {
  if (message.text) return message.text;
  if (message.type === 'location') return locationName(message.content) || 'Location';
  if (message.type === 'reaction') return `Reaction ${message.content?.emoji || ''}`.trim();
  if (message.media?.filename) return message.media.filename;
  return TYPE_LABEL[message.type] || message.type;
}

function renderQuote(message, context) {
  let target = null;
  if (message.reply_to) target = context.find(message.reply_to.message_id) || context.find(message.reply_to.wa_message_id);
  if (!message.reply_to) return null;
  if (!target) {
    // Not loaded here (an older page): the server's preview of the target says what it was.
    const preview = message.reply_to.preview;
    if (!preview) return h('blockquote', { class: 'quote missing' }, h('span', { class: 'quote-text muted' }, 'Reply to an earlier message'));
    return h('blockquote', { class: 'quote earlier' }, h('span', { class: 'quote-author' }, 'Earlier message'),
      h('span', { class: 'quote-text' }, preview.text || TYPE_LABEL[preview.type] || preview.type));
  }
  const author = target.direction === 'outbound' ? 'You' : context.contactName;
  return h('blockquote', {
    class: 'quote', tabindex: '0', role: 'link', title: 'Show the quoted message',
    onclick: () => context.reveal(target.id),
    onkeydown: (event) => { if (event.key === 'Enter') context.reveal(target.id); },
  }, h('span', { class: 'quote-author' }, author), h('span', { class: 'quote-text' }, summary(target)));
}

function renderBody(message, context) {
  switch (message.type) {
    case 'image':
    case 'sticker':
      return [renderImage(message, context), caption(message)];
    case 'audio':
    case 'video':
    case 'document':
      return [renderFile(message), caption(message)];
    case 'location':
      return renderLocation(message.content || {});
    case 'reaction': {
      const target = context.find(message.content?.message_id);
      return h('p', { class: `text reaction${target ? '' : ' missing'}` }, h('span', { class: 'emoji' }, message.content?.emoji || '∅'),
        target ? ` reacted to “${summary(target)}”` : ' reacted to a message');
    }
    case 'contacts':
      return h('p', { class: 'text' }, `Contact card: ${contactNames(message.content).join(', ') || 'no name'}`);
    case 'interactive':
    case 'button':
      return [h('p', { class: 'kind' }, 'Button reply'), h('p', { class: 'text' }, message.text || '')];
    case 'unsupported':
      return h('p', { class: 'text muted' }, 'Unsupported message: WhatsApp does not deliver this kind of message (a poll, for example) to business inboxes.');
    default:
      return message.text ? h('p', { class: 'text' }, message.text) : h('p', { class: 'text muted' }, TYPE_LABEL[message.type] || message.type);
  }
}

function caption(message) {
  return message.text ? h('p', { class: 'text caption' }, message.text) : null;
}

// Placeholder first (sized, so the thread does not jump), the picture once its bytes arrived.
function renderImage(message, context) {
  const figure = h('figure', { class: 'media image', dataset: { state: 'waiting' } },
    h('span', { class: 'media-placeholder' }, icon('image'), h('span', { class: 'media-note' }, 'Photo')));
  if (!message.media) return figure;
  context.observeMedia(figure, () => {
    figure.dataset.state = 'loading';
    setNote(figure, 'Loading photo…');
    loadMedia(message, {
      onPending: () => {
        figure.dataset.state = 'pending';
        setNote(figure, 'Downloading from WhatsApp…');
      },
    }).then(({ url, blob }) => {
      const img = h('img', { src: url, alt: message.text ? `Photo: ${message.text}` : 'Photo', decoding: 'async' });
      img.addEventListener('load', () => { figure.dataset.decoded = 'true'; });
      // Bytes that are no picture the browser can draw (or a format it lacks) still are the customer's file.
      img.addEventListener('error', () => {
        figure.dataset.decoded = 'false';
        figure.replaceChildren(h('span', { class: 'media-placeholder' }, icon('image'),
          h('span', { class: 'media-note' }, `Preview not available · ${fileSize(blob.size)}`),
          downloadLink(url, message.media.filename || `photo-${message.id.slice(0, 8)}`, 'Download')));
      });
      figure.dataset.state = 'ready';
      figure.dataset.bytes = String(blob.size);
      figure.replaceChildren(img);
    }).catch((error) => {
      figure.dataset.state = 'error';
      setNote(figure, mediaErrorText(error));
    });
  });
  return figure;
}

function setNote(figure, text) {
  const note = figure.querySelector('.media-note');
  if (note) note.textContent = text;
}

function downloadLink(url, name, label) {
  return h('a', { class: 'file-download', href: url, download: name }, icon('download'), label);
}

// Files are fetched with the token on click, then handed to the browser as a download.
function renderFile(message) {
  const media = message.media || {};
  const name = media.filename || `${TYPE_LABEL[message.type] || 'File'}${media.mime_type ? ` (${media.mime_type.split(';')[0]})` : ''}`;
  const size = fileSize(media.file_size);
  const note = h('span', { class: 'file-note muted' });
  const link = h('a', { class: 'file-link', href: `#${media.url || ''}`, dataset: { state: 'idle' } },
    icon(message.type === 'audio' ? 'mic' : 'file'),
    h('span', { class: 'file-name' }, name),
    size ? h('span', { class: 'file-size muted' }, size) : null,
    icon('download'));
  link.addEventListener('click', (event) => {
    if (link.dataset.state === 'ready') return; // the real blob link: let the browser download it
    event.preventDefault();
    if (link.dataset.state === 'loading') return;
    link.dataset.state = 'loading';
    note.textContent = 'Downloading…';
    loadMedia(message, { onPending: () => { note.textContent = 'Downloading from WhatsApp…'; } })
      .then(({ url }) => {
        link.href = url;
        link.download = media.filename || name;
        link.dataset.state = 'ready';
        note.textContent = '';
        link.click();
      })
      .catch((error) => {
        link.dataset.state = 'idle';
        note.textContent = mediaErrorText(error);
      });
  });
  return h('div', { class: 'media file' }, link, note);
}

function locationName(content) {
  return content && (content.name || content.address);
}

function renderLocation(content) {
  const lat = Number(content.latitude);
  const lon = Number(content.longitude);
  const coordinates = Number.isFinite(lat) && Number.isFinite(lon) ? `${lat.toFixed(5)}, ${lon.toFixed(5)}` : 'unknown position';
  const map = Number.isFinite(lat) && Number.isFinite(lon)
    ? h('a', {
      class: 'map-link', href: `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`,
      target: '_blank', rel: 'noopener noreferrer',
    }, 'Open map')
    : null;
  return h('div', { class: 'location' }, icon('pin'),
    h('div', {},
      content.name ? h('p', { class: 'location-name' }, content.name) : null,
      content.address ? h('p', { class: 'muted' }, content.address) : null,
      h('p', { class: 'coordinates' }, coordinates, ' ', map)));
}

function contactNames(content) {
  const contacts = Array.isArray(content?.contacts) ? content.contacts : Array.isArray(content) ? content : [];
  return contacts.map((c) => c?.name?.formatted_name || c?.name?.first_name).filter(Boolean);
}
