// What WhatsApp accepts as outbound media, as the server checks it (API.md Part 2, "Uploads and outbound media"):
// checked here too so an agent hears at once, before any byte is uploaded, why a file cannot be sent.
const MiB = 1024 * 1024;
const DOCUMENT = { kind: 'document', limit: 100 * MiB };

const TYPES = {
  'image/jpeg': { kind: 'image', limit: 5 * MiB },
  'image/png': { kind: 'image', limit: 5 * MiB },
  'image/webp': { kind: 'sticker', limit: 500 * 1024 },
  'video/mp4': { kind: 'video', limit: 16 * MiB },
  'video/3gpp': { kind: 'video', limit: 16 * MiB },
  'audio/aac': { kind: 'audio', limit: 16 * MiB },
  'audio/amr': { kind: 'audio', limit: 16 * MiB },
  'audio/mpeg': { kind: 'audio', limit: 16 * MiB },
  'audio/mp4': { kind: 'audio', limit: 16 * MiB },
  'audio/ogg': { kind: 'audio', limit: 16 * MiB },
  'application/pdf': DOCUMENT,
  'text/plain': DOCUMENT,
  'application/msword': DOCUMENT,
  'application/vnd.ms-excel': DOCUMENT,
  'application/vnd.ms-powerpoint': DOCUMENT,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': DOCUMENT,
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': DOCUMENT,
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': DOCUMENT,
};

// {kind, limit} of a file WhatsApp takes, or {problem} saying why not.
export function uploadTypeOf(file) {
  const type = TYPES[(file.type || '').toLowerCase()];
  if (!type) {
    return { problem: `WhatsApp does not accept ${file.type || 'this kind of file'}. Send a photo (JPEG, PNG), a ` +
      'video (MP4, 3GP), audio (AAC, AMR, MP3, M4A, Opus) or a document (PDF, text, Word, Excel, PowerPoint).' };
  }
  if (file.size > type.limit) {
    return { problem: `${file.name} is ${humanSize(file.size)}; WhatsApp takes ${type.kind} files up to ${humanSize(type.limit)}.` };
  }
  if (file.size === 0) return { problem: `${file.name} is empty.` };
  return type;
}

// Audio and stickers go without a caption.
export function takesCaption(kind) {
  return kind !== 'audio' && kind !== 'sticker';
}

export function humanSize(bytes) {
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(bytes >= 10 * MiB ? 0 : 1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}
