// Sending a failed message again, from its bubble's Retry action: a new message with the same content (the
// failed one stays, with Meta's reason). Text goes by the auto-template route, so a window that closed meanwhile
// sends the approved re-engagement template instead; media is fetched back from our store and uploaded again
// (the message does not carry its upload id). One Idempotency-Key per failed message and content: clicking Retry
// again after a 503 or a lost answer repeats the same send instead of making a second one.
import { api, uploadFile } from './api.js';
import { newKey } from './keys.js';
import { loadMedia } from './media.js';

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);
const keys = new Map(); // failed message id → { key, uploadId }

// Whether the Retry action can rebuild the message: templates need their values, which are not stored.
export function canResend(message) {
  if (message.direction !== 'outbound' || message.status !== 'failed') return false;
  if (message.type === 'text') return Boolean(message.text);
  return MEDIA_TYPES.has(message.type) && message.media?.state === 'stored';
}

// Resolves the new message (as the send answered it); throws ApiError like api().
export async function resend(message, accountId) {
  if (!keys.has(message.id)) keys.set(message.id, { key: newKey(), uploadId: null });
  const attempt = keys.get(message.id);
  const replyTo = message.reply_to?.message_id || null;
  let body;
  if (message.type === 'text') {
    ({ body } = await api('/messages/send-with-auto-template', {
      method: 'POST', headers: { 'Idempotency-Key': attempt.key },
      body: { conversation_id: message.conversation_id, text: message.text, reply_to: replyTo },
    }));
  } else {
    if (!attempt.uploadId) {
      const { blob } = await loadMedia(message);
      const file = new File([blob], message.media.filename || `${message.type}`, { type: message.media.mime_type });
      const name = encodeURIComponent(file.name);
      attempt.uploadId = (await uploadFile(`/accounts/${accountId}/uploads?filename=${name}`, file)).body.upload.id;
    }
    ({ body } = await api('/messages/send', {
      method: 'POST', headers: { 'Idempotency-Key': attempt.key },
      body: { conversation_id: message.conversation_id, upload_id: attempt.uploadId, caption: message.text || null,
        reply_to: replyTo },
    }));
  }
  keys.delete(message.id);
  return body.message;
}
