// What the pages that manage the server share: building elements without
// innerHTML, scope names in words, messages, and a confirmation dialog.

import { api } from './api.js';

export const $ = (id) => document.getElementById(id);

// el builds an element: attrs are properties, except data-* and aria-*,
// which are attributes; children are nodes or text.
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('data-') || k.startsWith('aria-') || k === 'for' || k === 'role') e.setAttribute(k, v === true ? '' : v);
    else e[k] = v;
  }
  e.append(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
  return e;
}

// kindOf says what a scope is, by its ID: other providers' accounts have
// the LinkedAccount kind, but they are not AWS's.
export function kindOf(id) {
  const other = /^providers\/([^/]+)\/(billingAccounts|accounts)\//.exec(id);
  if (other) return `${other[1]} ${other[2] === 'accounts' ? 'account' : 'billing account'}`;
  if (id.startsWith('mg/')) return 'Management group';
  if (id.startsWith('azure/subscriptions/')) return 'Azure subscription';
  if (id.startsWith('azure/billingAccounts/')) return 'Azure billing account';
  if (id.startsWith('aws/accounts/')) return 'AWS linked account';
  if (id.startsWith('aws/billing/')) return 'AWS billing (consolidated) account';
  if (id.startsWith('connectors/')) return 'Connector';
  return 'Scope';
}

// movable reports whether a scope can go into a management group.
export const movable = (s) => s.kind === 'Subscription' || s.kind === 'LinkedAccount';

const rank = { Reader: 1, Contributor: 2, Owner: 3 };
// can reports whether a role allows: read, write (Contributor) or manage
// access (Owner).
export const can = (role, what) => (rank[role] || 0) >= { read: 1, write: 2, access: 3 }[what];

// scopes reads the scopes the user can read, with their roles.
export async function scopes() {
  return (await api('GET', '/api/v1/scopes')).value;
}

// say shows a message in a status or alert element; empty hides it.
export function say(node, text) {
  node.textContent = text || '';
  node.hidden = !text;
}

// when formats an RFC 3339 time as "2026-11-25 12:00 UTC"; "" for none.
export function when(t) {
  if (!t || t.startsWith('0001-')) return '';
  return t.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC').replace(/Z$/, ' UTC');
}

// confirm asks in the page's dialog (#confirm-dialog); it resolves true
// when the user confirms.
export function confirm(text, action) {
  const d = $('confirm-dialog');
  $('confirm-text').textContent = text;
  $('confirm-ok').textContent = action;
  d.returnValue = '';
  d.showModal();
  return new Promise((resolve) => d.addEventListener('close', () => resolve(d.returnValue === 'ok'), { once: true }));
}

// busy disables a button while fn runs, and shows fn's error in words.
export async function busy(button, errNode, fn) {
  button.disabled = true;
  if (errNode) say(errNode, '');
  try {
    return await fn();
  } catch (e) {
    if (errNode) say(errNode, e.message);
    else throw e;
  } finally {
    button.disabled = false;
  }
}
