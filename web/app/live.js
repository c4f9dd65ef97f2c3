// Live updates: one EventSource for the account on screen. Only one, not one per account the user can see:
// each open stream holds one of the ~6 connections a browser allows per host over HTTP/1.1.
// EventSource cannot send headers, hence ?access_token=. On an error the stream is closed and recreated with a
// growing delay (1 s, 2 s, 4 s ... 30 s) instead of the browser's fixed retry. Events are not replayed, so the
// views reload what they show whenever a stream opens: after a reconnect, and after the first connect too, since
// a change between the views' first load and the subscription would otherwise never show.

const EVENTS = ['message.created', 'message.updated', 'conversation.updated'];
const MAX_DELAY_MS = 30000;

export class LiveUpdates {
  constructor({ onEvent, onOpen, onState }) {
    this.onEvent = onEvent;
    this.onOpen = onOpen;
    this.onState = onState;
    this.source = null;
    this.timer = null;
    this.failures = 0;
  }

  connect(accountId, token) {
    this.close();
    this.accountId = accountId;
    this.token = token;
    this.failures = 0;
    this.open();
  }

  open() {
    this.onState('connecting');
    const url = `/accounts/${encodeURIComponent(this.accountId)}/events?access_token=${encodeURIComponent(this.token)}`;
    const source = new EventSource(url);
    this.source = source;
    source.addEventListener('open', () => {
      if (this.source !== source) return;
      this.failures = 0;
      this.onState('live');
      this.onOpen();
    });
    for (const type of EVENTS) {
      source.addEventListener(type, (event) => {
        if (this.source !== source) return;
        let data;
        try {
          data = JSON.parse(event.data);
        } catch {
          return; // not ours to crash on
        }
        this.onEvent(type, data);
      });
    }
    source.addEventListener('error', () => {
      if (this.source !== source) return;
      source.close();
      this.source = null;
      this.failures += 1;
      const delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** (this.failures - 1));
      this.onState('offline', delay);
      this.timer = setTimeout(() => {
        this.timer = null;
        this.open();
      }, delay);
    });
  }

  close() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.source) this.source.close();
    this.source = null;
  }
}
