// The HTTP API (API.md): bearer auth, JSON in and out, and the error shape
// {"error": {"code", "message", ...}} turned into an ApiError the views can explain.
import { getToken } from './auth.js';

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;           // 0 when the server could not be reached
    this.code = error.code || (status === 0 ? 'network_error' : 'http_error');
    this.details = error;           // window_expired_at, graph_error, ...
    this.retryAfter = retryAfter;   // seconds, from Retry-After
  }
}

let onUnauthorized = () => {};

// main.js decides what a 401 means (back to sign-in).
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

// Read-your-writes on any instance (docs/SCALING.md): a write's answer names the WAL position it reached, and
// every later request carries the furthest one seen, so whichever instance answers reads at least that far.
const kReadAfter = 'X-Inbox-Read-After';
let readAfter = null;

function lsnValue(text) {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text || '');
  return match ? (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`) : null;
}

function noteReadAfter(response) {
  const seen = response.headers.get(kReadAfter);
  const value = lsnValue(seen);
  if (value !== null && (readAfter === null || value > lsnValue(readAfter))) readAfter = seen;
}

export function retryAfterSeconds(response) {
  const value = Number.parseInt(response.headers.get('Retry-After') || '', 10);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

// Raw fetch with the token; answers the Response (media needs the bytes, not JSON).
export async function authorizedFetch(path, { method = 'GET', body, headers = {}, signal } = {}) {
  const init = { method, signal, headers: { Accept: 'application/json', ...headers } };
  const token = getToken();
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (readAfter) init.headers[kReadAfter] = readAfter;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, { error: { message: 'The server could not be reached.' } }, null);
  }
  noteReadAfter(response);
  if (response.status === 401) {
    onUnauthorized();
    throw new ApiError(401, await readJson(response), null);
  }
  return response;
}

// A file as the raw body of a POST (uploads), with progress: fetch cannot report upload progress, XMLHttpRequest can.
// `onProgress(fraction)` is called as bytes leave; answers {status, body} or throws ApiError like api().
export function uploadFile(path, file, { onProgress = () => {} } = {}) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', path);
    request.setRequestHeader('Accept', 'application/json');
    request.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    const token = getToken();
    if (token) request.setRequestHeader('Authorization', `Bearer ${token}`);
    if (readAfter) request.setRequestHeader(kReadAfter, readAfter);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener('error', () => reject(new ApiError(0, { error: { message: 'The server could not be reached.' } }, null)));
    request.addEventListener('load', () => {
      noteReadAfter({ headers: { get: (name) => request.getResponseHeader(name) } });
      let body = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = null;
      }
      if (request.status === 401) onUnauthorized();
      if (request.status >= 200 && request.status < 300) {
        resolve({ status: request.status, body });
      } else {
        const retryAfter = Number.parseInt(request.getResponseHeader('Retry-After') || '', 10);
        reject(new ApiError(request.status, body, Number.isFinite(retryAfter) ? retryAfter : null));
      }
    });
    request.send(file);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// JSON request; throws ApiError for any non-2xx answer. A read the server shed (503 service_unavailable: overload,
// restart) is asked again after its Retry-After, twice at most; writes are the caller's to repeat.
export async function api(path, options = {}) {
  for (let attempt = 0; ; attempt += 1) {
    const response = await authorizedFetch(path, options);
    const body = await readJson(response);
    if (response.ok) return { status: response.status, body };
    const error = new ApiError(response.status, body, retryAfterSeconds(response));
    const read = (options.method || 'GET') === 'GET';
    if (!read || error.code !== 'service_unavailable' || attempt >= 2) throw error;
    await sleep(Math.min(error.retryAfter ?? 1, 5) * 1000);
  }
}

async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
