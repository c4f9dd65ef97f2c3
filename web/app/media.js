// Media of messages. The API answers GET /messages/media/{id} with 302 to a signed /media URL once the file is
// stored (fetch follows it) or 202 + Retry-After while the download runs. <img src> cannot send the bearer
// token, so the bytes are fetched here and shown through blob: URLs.
import { api, authorizedFetch, ApiError, retryAfterSeconds } from './api.js';

const MAX_PARALLEL = 2;       // browsers allow ~6 connections per host; the event stream and the API need some
const MAX_WAIT_MS = 3 * 60 * 1000;
const cache = new Map();      // message id → Promise<{url, blob}>
const MAX_CACHED = 60;
let running = 0;
const queue = [];

function acquire() {
  if (running < MAX_PARALLEL) {
    running += 1;
    return Promise.resolve();
  }
  return new Promise((resolve) => queue.push(resolve));
}

function release() {
  const next = queue.shift();
  if (next) next();
  else running -= 1;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Resolves {url, blob} for the message's media; `onPending` is called while the server answers 202.
export function loadMedia(message, { onPending } = {}) {
  if (!cache.has(message.id)) {
    const loading = fetchMedia(message, onPending);
    cache.set(message.id, loading);
    loading.catch(() => cache.delete(message.id)); // a later view may try again
    trimCache();
  }
  return cache.get(message.id);
}

async function fetchMedia(message, onPending) {
  const started = Date.now();
  let wait = 0;
  for (;;) {
    await acquire();
    let response;
    try {
      // After the first 202, let the server hold the request until the file is stored (?wait=): one request
      // instead of a poll every second, and the image appears the moment the download ends.
      response = await authorizedFetch(`/messages/media/${message.id}${wait ? `?wait=${wait}` : ''}`);
      if (response.status !== 202) {
        if (!response.ok) {
          const body = await response.json().catch(() => null);
          throw new ApiError(response.status, body, retryAfterSeconds(response));
        }
        const blob = await response.blob();
        return { url: URL.createObjectURL(blob), blob };
      }
    } finally {
      release();
    }
    if (onPending) onPending();
    if (Date.now() - started > MAX_WAIT_MS) throw new ApiError(202, { error: { code: 'still_pending', message: 'still downloading' } });
    await sleep((retryAfterSeconds(response) ?? 1) * 1000);
    wait = 5;
  }
}

function trimCache() {
  while (cache.size > MAX_CACHED) {
    const [oldest, loading] = cache.entries().next().value;
    cache.delete(oldest);
    loading.then(({ url }) => URL.revokeObjectURL(url)).catch(() => {});
  }
}

export function mediaErrorText(error) {
  switch (error.code) {
    case 'media_expired': return 'This file expired on WhatsApp before it was saved.';
    case 'upstream_error': return 'The file could not be downloaded from WhatsApp.';
    case 'no_media': return 'No file attached.';
    case 'still_pending': return 'Still downloading — open the conversation again later.';
    default: return 'The file could not be loaded.';
  }
}

// check-media scans a conversation for files that were never stored. The server already skips repeats within
// 5 minutes; remembering our own calls (in sessionStorage, so reloads count) saves the request altogether.
const CHECK_KEY = 'inbox.checkMedia';
const CHECK_INTERVAL_MS = 5 * 60 * 1000;

export function needsMediaCheck(messages) {
  return messages.some((m) => m.media && m.media.state !== 'stored');
}

export async function checkMediaOnce(conversationId, now = Date.now()) {
  let checked = {};
  try {
    checked = JSON.parse(sessionStorage.getItem(CHECK_KEY) || '{}');
  } catch { /* a corrupt entry only costs one extra call */ }
  for (const [id, at] of Object.entries(checked)) if (now - at >= CHECK_INTERVAL_MS) delete checked[id];
  if (checked[conversationId]) return false;
  checked[conversationId] = now;
  sessionStorage.setItem(CHECK_KEY, JSON.stringify(checked));
  try {
    await api(`/messages/check-media/${conversationId}`, { method: 'POST' });
  } catch {
    // Best effort: images still load one by one through loadMedia.
  }
  return true;
}
