// The reply box. Sends through POST /messages/send-with-auto-template: free text inside the 24 h window, the
// account's re-engagement template outside it. An attached file (picker, drag and drop, or a pasted image) is
// uploaded first (POST /accounts/{id}/uploads, with a progress bar) and sent with POST /messages/send, the text as
// its caption. Each composed message gets one Idempotency-Key, reused when it is sent again after a failure that
// may be retried (503, network), so a retry never double-sends — and never uploads the file twice either.
import { api, uploadFile } from './api.js';
import { $ } from './dom.js';
import { newKey } from './keys.js';
import { sendErrorText } from './format.js';
import { humanSize, takesCaption, uploadTypeOf } from './upload-types.js';

const RETRYABLE = new Set(['upstream_unavailable', 'network_error', 'service_unavailable']);
const MAX_LENGTH = 4096;
const MAX_CAPTION = 1024;

export class Composer {
  constructor({ onSent }) {
    this.onSent = onSent;
    this.form = $('composer');
    this.text = $('composer-text');
    this.send = $('composer-send');
    this.notice = $('composer-notice');
    this.error = $('composer-error');
    this.pending = null;       // {key, text} of the message being composed
    this.sending = false;
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.text.addEventListener('keydown', (event) => {
      // Enter sends, Shift+Enter is a new line; never while an input method is composing a character.
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      } else if (event.key === 'Escape' && this.reply) {
        event.preventDefault();  // Esc cancels the reply being quoted, not the text
        this.cancelReply();
      }
    });
    this.text.addEventListener('input', () => {
      this.grow();
      this.signalTyping();
    });
    this.attachment = null;  // {file, kind} staged for the next send
    this.fileInput = $('composer-file');
    this.fileInput.addEventListener('change', () => {
      if (this.fileInput.files.length) this.attach(this.fileInput.files[0]);
      this.fileInput.value = '';  // choosing the same file again still fires `change`
    });
    $('composer-attachment-remove').addEventListener('click', () => this.detach());
    this.reply = null;  // {id, text} of the message the next send quotes
    $('composer-reply-cancel').addEventListener('click', () => this.cancelReply());
    this.text.addEventListener('paste', (event) => {
      const file = event.clipboardData && event.clipboardData.files[0];
      if (!file) return;
      event.preventDefault();
      this.attach(file);
    });
    this.form.addEventListener('dragover', (event) => {
      if (![...event.dataTransfer.types].includes('Files')) return;
      event.preventDefault();
      this.form.classList.add('dropping');
    });
    this.form.addEventListener('dragleave', () => this.form.classList.remove('dropping'));
    this.form.addEventListener('drop', (event) => {
      this.form.classList.remove('dropping');
      const file = event.dataTransfer.files[0];
      if (!file) return;
      event.preventDefault();
      this.attach(file);
    });
  }

  // The next send quotes this message (sent as `reply_to`).
  replyTo(messageId, text) {
    this.reply = { id: messageId, text };
    $('composer-reply-text').textContent = text;
    $('composer-reply').hidden = false;
    this.text.focus();
  }

  cancelReply() {
    this.reply = null;
    $('composer-reply').hidden = true;
  }

  // The account of the open conversation: uploads belong to it.
  setAccount(accountId) {
    this.accountId = accountId;
  }

  // Stages a file for the next send, or says at once why WhatsApp would not take it.
  attach(file) {
    const type = uploadTypeOf(file);
    if (type.problem) {
      this.showError(`Not attached: ${type.problem}`);
      return;
    }
    this.error.textContent = '';
    this.attachment = { file, kind: type.kind };
    $('composer-attachment-name').textContent = file.name || `pasted ${type.kind}`;
    $('composer-attachment-size').textContent = humanSize(file.size);
    $('composer-progress').hidden = true;
    $('composer-attachment').hidden = false;
    this.text.placeholder = takesCaption(type.kind) ? 'Add a caption (optional)' : 'No caption for this kind of file';
    this.text.focus();
  }

  detach() {
    this.attachment = null;
    $('composer-attachment').hidden = true;
    this.setWindow(this.windowOpen);
  }

  // A new thread: empty box, no leftover errors.
  reset(conversationId) {
    this.conversationId = conversationId;
    this.typingAt = 0;
    this.form.hidden = false;
    this.text.value = '';
    this.pending = null;
    this.detach();
    this.cancelReply();
    this.error.textContent = '';
    this.notice.textContent = '';
    this.grow();
  }

  hide() {
    this.form.hidden = true;
    this.conversationId = null;
  }

  // The reply window of the open conversation, so the agent knows before sending that a template will be used.
  setWindow(open) {
    this.windowOpen = open;
    this.text.placeholder = open ? 'Type a reply' : 'Type a reply — it will be sent inside an approved template';
  }

  async submit() {
    if (this.attachment) return this.submitMedia();
    const text = this.text.value.trim();
    if (!text || this.sending || !this.conversationId) return;
    if (text.length > MAX_LENGTH) {
      this.showError(`Not sent: a WhatsApp message holds at most ${MAX_LENGTH} characters (this one has ${text.length}).`);
      return;
    }
    // Edited text is another message: it needs its own key (the server answers 409 for a reused key).
    const replyTo = this.reply ? this.reply.id : null;
    if (!this.pending || this.pending.text !== text || this.pending.conversationId !== this.conversationId ||
        this.pending.replyTo !== replyTo) {
      this.pending = { key: newKey(), text, conversationId: this.conversationId, replyTo, attempts: 0 };
    }
    this.pending.attempts += 1;
    const retried = this.pending.attempts > 1;
    const conversationId = this.conversationId;
    this.sending = true;
    this.send.disabled = true;
    this.form.setAttribute('aria-busy', 'true');
    this.error.textContent = '';
    try {
      const { body } = await api('/messages/send-with-auto-template', {
        method: 'POST',
        headers: { 'Idempotency-Key': this.pending.key },
        body: { conversation_id: conversationId, text, reply_to: replyTo },
      });
      this.pending = null;
      if (this.conversationId === conversationId) {
        this.text.value = '';
        this.cancelReply();
        this.grow();
        this.notice.textContent = body.mode === 'template' && body.template
          ? `The 24-hour window is closed, so this was sent as the approved template “${body.template.name}” (${body.template.language}).`
          : '';
      }
      this.onSent(body.message, retried);
    } catch (error) {
      if (!RETRYABLE.has(error.code)) this.pending = null;
      if (error.status !== 401 && this.conversationId === conversationId) this.showError(sendErrorText(error));
    } finally {
      this.sending = false;
      this.send.disabled = false;
      this.form.removeAttribute('aria-busy');
    }
  }

  // The staged file with the text as its caption: uploaded once per composed message, then sent by its upload id.
  async submitMedia() {
    const caption = this.text.value.trim();
    const { file, kind } = this.attachment;
    if (this.sending || !this.conversationId || !this.accountId) return;
    if (caption && !takesCaption(kind)) {
      this.showError(`Not sent: WhatsApp sends ${kind} files without a caption. Remove the text or send it separately.`);
      return;
    }
    if (caption.length > MAX_CAPTION) {
      this.showError(`Not sent: a caption holds at most ${MAX_CAPTION} characters (this one has ${caption.length}).`);
      return;
    }
    const conversationId = this.conversationId;
    const replyTo = this.reply ? this.reply.id : null;
    if (!this.pending || this.pending.file !== file || this.pending.caption !== caption ||
        this.pending.conversationId !== conversationId || this.pending.replyTo !== replyTo) {
      this.pending = { key: newKey(), file, caption, conversationId, replyTo, uploadId: null, attempts: 0 };
    }
    const pending = this.pending;
    pending.attempts += 1;
    this.sending = true;
    this.send.disabled = true;
    this.form.setAttribute('aria-busy', 'true');
    this.error.textContent = '';
    const progress = $('composer-progress');
    try {
      if (!pending.uploadId) {
        progress.value = 0;
        progress.hidden = false;
        const name = encodeURIComponent(file.name || `${kind}-${Date.now()}`);
        const { body } = await uploadFile(`/accounts/${this.accountId}/uploads?filename=${name}`, file, {
          onProgress: (fraction) => { progress.value = Math.round(fraction * 100); },
        });
        pending.uploadId = body.upload.id;
      }
      const { body } = await api('/messages/send', {
        method: 'POST',
        headers: { 'Idempotency-Key': pending.key },
        body: { conversation_id: conversationId, upload_id: pending.uploadId, caption: caption || null,
          reply_to: replyTo },
      });
      this.pending = null;
      if (this.conversationId === conversationId) {
        this.text.value = '';
        this.detach();
        this.cancelReply();
        this.grow();
        this.notice.textContent = '';
      }
      this.onSent(body.message, pending.attempts > 1);
    } catch (error) {
      if (!RETRYABLE.has(error.code)) this.pending = null;
      if (error.status !== 401 && this.conversationId === conversationId) this.showError(sendErrorText(error));
    } finally {
      progress.hidden = true;
      this.sending = false;
      this.send.disabled = false;
      this.form.removeAttribute('aria-busy');
    }
  }

  // The customer sees "typing…" while the agent writes: at most one call per 20 s (the server throttles the same,
  // and skips it outside the window or when the account sends no read receipts). A hint: failures are ignored.
  signalTyping() {
    const now = Date.now();
    if (!this.conversationId || !this.text.value.trim() || now - (this.typingAt || 0) < 20000) return;
    this.typingAt = now;
    api(`/conversations/${this.conversationId}/typing`, { method: 'POST' }).catch(() => {});
  }

  // #composer-error is role="alert": screen readers read the sentence at once.
  showError(text) {
    this.error.textContent = text;
  }

  // The textarea grows with its text up to a few lines (inline style from JS is allowed by the CSP).
  grow() {
    this.text.style.height = 'auto';
    this.text.style.height = `${Math.min(this.text.scrollHeight, 160)}px`;
  }
}
