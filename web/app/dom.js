// Tiny DOM helpers. Everything is built with createElement + textContent, never innerHTML: message texts come
// from strangers on WhatsApp, and the CSP forbids inline styles anyway.

export const $ = (id) => document.getElementById(id);

// h('div', {class: 'x', dataset: {id}, onclick}, child, 'text', ...)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

const SVG = 'http://www.w3.org/2000/svg';

// Small inline icons drawn as SVG paths (no icon font, nothing fetched).
export function icon(name, label) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('class', `icon icon-${name}`);
  svg.setAttribute('focusable', 'false');
  if (label) {
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', label);
  } else {
    svg.setAttribute('aria-hidden', 'true');
  }
  for (const d of ICONS[name] || []) {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

const ICONS = {
  check: ['M2.5 8.5l3 3 6-7'],
  checks: ['M1 8.5l3 3 6-7', 'M6.5 11.5l0.5 0.5 6-7'],
  clock: ['M8 2.5a5.5 5.5 0 1 0 0 11a5.5 5.5 0 1 0 0-11', 'M8 5v3.2l2 1.3'],
  alert: ['M8 2.5a5.5 5.5 0 1 0 0 11a5.5 5.5 0 1 0 0-11', 'M8 5v3.5', 'M8 10.6v0.4'],
  file: ['M4 1.5h5l3 3v10H4z', 'M9 1.5v3h3'],
  download: ['M8 2v8', 'M4.5 7l3.5 3.5L11.5 7', 'M3 13.5h10'],
  pin: ['M8 14s-4.5-4.3-4.5-7.5a4.5 4.5 0 0 1 9 0C12.5 9.7 8 14 8 14z', 'M8 5a1.5 1.5 0 1 0 0 3a1.5 1.5 0 1 0 0-3'],
  image: ['M2 3h12v10H2z', 'M2 11l3.5-3.5 3 3 2-2L14 12', 'M10.5 5.5a1 1 0 1 0 0 0.1'],
  template: ['M3 2.5h10v11H3z', 'M5.5 5.5h5', 'M5.5 8h5', 'M5.5 10.5h3'],
  mic: ['M8 1.5a2 2 0 0 1 2 2v4a2 2 0 0 1-4 0v-4a2 2 0 0 1 2-2z', 'M4 7.5a4 4 0 0 0 8 0', 'M8 11.5v3'],
};
