// "Send a template": a dialog listing the account's APPROVED templates, with a field for each parameter its
// components take (header text or media, body values, button values) and a live preview of the filled body. Sends
// POST /messages/send-template to the open conversation, or — for "New conversation" — to a number, which starts
// that customer's conversation. One Idempotency-Key per composed template, kept for retries after a 503 or a
// network error, so a retry never sends twice (and the header file is uploaded once).
import { api, uploadFile } from './api.js';
import { $, h } from './dom.js';
import { sendErrorText } from './format.js';
import { newKey } from './keys.js';
import { humanSize, uploadTypeOf } from './upload-types.js';

const RETRYABLE = new Set(['upstream_unavailable', 'network_error', 'service_unavailable']);
const HEADER_KINDS = { IMAGE: 'image', VIDEO: 'video', DOCUMENT: 'document' };
const WA_ID = /^[1-9][0-9]{7,14}$/;

export class TemplateDialog {
  // onSent(message, conversation, {started}): after a 201/200; `started` when it went to a number.
  constructor({ onSent }) {
    this.onSent = onSent;
    this.dialog = $('template-dialog');
    this.form = $('template-form');
    this.select = $('template-select');
    this.fields = $('template-fields');
    this.preview = $('template-preview');
    this.error = $('template-error');
    this.number = $('template-number');
    this.submitButton = $('template-send');
    this.templates = [];
    this.pending = null;
    this.select.addEventListener('change', () => this.showTemplate());
    this.form.addEventListener('input', () => this.updatePreview());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    $('template-cancel').addEventListener('click', () => this.dialog.close());
  }

  // To the open conversation (conversationId), or to a number of the account (conversationId null).
  async open({ accountId, conversationId }) {
    this.accountId = accountId;
    this.conversationId = conversationId;
    this.pending = null;
    this.error.textContent = '';
    $('template-title').textContent = conversationId ? 'Send a template' : 'New conversation';
    $('template-number-row').hidden = Boolean(conversationId);
    this.number.value = '';
    this.select.replaceChildren(h('option', { value: '' }, 'Loading templates…'));
    this.fields.replaceChildren();
    this.preview.textContent = '';
    this.dialog.showModal();
    (conversationId ? this.select : this.number).focus();
    try {
      const { body } = await api(`/accounts/${accountId}/templates`);
      this.templates = body.data.filter((t) => t.status === 'APPROVED');
    } catch (error) {
      this.templates = [];
      if (error.status !== 401) this.error.textContent = `Could not load the templates: ${error.message}`;
    }
    this.select.replaceChildren(...(this.templates.length
      ? this.templates.map((t, i) => h('option', { value: String(i) }, `${t.name} · ${t.language}`))
      : [h('option', { value: '' }, 'No approved templates (sync them from Meta first)')]));
    this.select.disabled = this.templates.length === 0;
    this.submitButton.disabled = this.templates.length === 0;
    this.showTemplate();
  }

  current() {
    return this.templates[Number(this.select.value)] || null;
  }

  // One labelled field per parameter the chosen template takes.
  showTemplate() {
    const template = this.current();
    this.fields.replaceChildren();
    this.headerFile = null;
    if (!template) return;
    const header = (template.components || []).find((c) => (c.type || '').toUpperCase() === 'HEADER');
    const format = header ? (header.format || '').toUpperCase() : '';
    if (template.parameters.header && format === 'TEXT') {
      this.fields.append(field('template-header-text', `Header (${header.text || 'text'})`, { maxlength: 60 }));
    } else if (template.parameters.header && HEADER_KINDS[format]) {
      const input = h('input', { id: 'template-header-file', type: 'file', required: true,
        onchange: () => this.pickHeader(input, HEADER_KINDS[format]) });
      this.fields.append(h('div', { class: 'template-field' },
        h('label', { for: 'template-header-file' }, `Header ${HEADER_KINDS[format]}`), input,
        h('span', { id: 'template-header-info', class: 'muted' })));
    }
    for (let i = 1; i <= template.parameters.body; i += 1) {
      this.fields.append(field(`template-body-${i}`, `Body {{${i}}}`, { maxlength: 1024 }));
    }
    for (const button of template.parameters.buttons.filter((b) => b.parameter_count > 0)) {
      const label = button.type === 'COPY_CODE' ? `Button ${button.index + 1}: code` : `Button ${button.index + 1}: link suffix`;
      this.fields.append(field(`template-button-${button.index}`, label, { maxlength: 1024 }));
    }
    this.updatePreview();
  }

  pickHeader(input, kind) {
    const file = input.files[0];
    const type = file ? uploadTypeOf(file) : null;
    if (type && (type.problem || type.kind !== kind)) {
      this.error.textContent = `This header takes ${kind === 'image' ? 'an image' : `a ${kind}`}` +
        (type.problem ? `: ${type.problem}` : `, not ${type.kind === 'image' ? 'an image' : `a ${type.kind}`}.`);
      input.value = '';
      this.headerFile = null;
      return;
    }
    this.error.textContent = '';
    this.headerFile = file || null;
    $('template-header-info').textContent = file ? humanSize(file.size) : '';
  }

  // The body as the customer will read it; empty values show as their placeholder.
  updatePreview() {
    const template = this.current();
    if (!template) return;
    const body = template.body_text || '';
    this.preview.textContent = body.replace(/\{\{(\d+)\}\}/g, (whole, n) => {
      const input = $(`template-body-${n}`);
      const value = input ? input.value.replace(/\s+/g, ' ').trim() : '';
      return value || whole;
    });
  }

  values(template) {
    const body = [];
    for (let i = 1; i <= template.parameters.body; i += 1) body.push($(`template-body-${i}`).value);
    const buttons = template.parameters.buttons.filter((b) => b.parameter_count > 0)
      .map((b) => ({ index: b.index, text: $(`template-button-${b.index}`).value }));
    const headerText = $('template-header-text');
    return { body, buttons, headerText: headerText ? headerText.value : null };
  }

  async submit() {
    const template = this.current();
    if (!template || this.sending) return;
    const number = this.number.value.replace(/[\s()+-]/g, '');
    if (!this.conversationId && !WA_ID.test(number)) {
      this.error.textContent = 'Enter the number with its country code, digits only (e.g. 16505551234).';
      this.number.focus();
      return;
    }
    const values = this.values(template);
    const blank = [...this.fields.querySelectorAll('input:not([type=file])')].find((input) => !input.value.trim());
    if (blank) {
      this.error.textContent = `Fill in “${blank.labels[0].textContent}” first.`;
      blank.focus();
      return;
    }
    if ($('template-header-file') && !this.headerFile) {
      this.error.textContent = 'Choose the header file first.';
      return;
    }
    const signature = JSON.stringify([template.id, number, this.conversationId, values]);
    if (!this.pending || this.pending.signature !== signature || this.pending.file !== this.headerFile) {
      this.pending = { key: newKey(), signature, file: this.headerFile, uploadId: null };
    }
    const pending = this.pending;
    this.sending = true;
    this.submitButton.disabled = true;
    this.error.textContent = '';
    try {
      let header = values.headerText !== null ? { text: values.headerText } : null;
      if (pending.file) {
        if (!pending.uploadId) {
          const name = encodeURIComponent(pending.file.name || 'header');
          const { body } = await uploadFile(`/accounts/${this.accountId}/uploads?filename=${name}`, pending.file);
          pending.uploadId = body.upload.id;
        }
        header = { upload_id: pending.uploadId };
      }
      const target = this.conversationId ? { conversation_id: this.conversationId }
        : { account_id: this.accountId, wa_id: number };
      const { body } = await api('/messages/send-template', {
        method: 'POST',
        headers: { 'Idempotency-Key': pending.key },
        body: { ...target, template: { name: template.name, language: template.language, header,
          body: values.body, buttons: values.buttons } },
      });
      this.pending = null;
      this.dialog.close();
      this.onSent(body.message, body.conversation, { started: !this.conversationId });
    } catch (error) {
      if (!RETRYABLE.has(error.code)) this.pending = null;
      if (error.status !== 401) this.error.textContent = templateErrorText(error);
    } finally {
      this.sending = false;
      this.submitButton.disabled = false;
    }
  }
}

function field(id, label, attrs) {
  return h('div', { class: 'template-field' }, h('label', { for: id }, label),
    h('input', { id, type: 'text', required: true, autocomplete: 'off', ...attrs }));
}

function templateErrorText(error) {
  if (error.code === 'no_approved_template') return `Not sent: ${error.message}.`;
  if (error.code === 'not_found') return 'Not sent: this account, conversation or file is not available to you.';
  return sendErrorText(error);
}
