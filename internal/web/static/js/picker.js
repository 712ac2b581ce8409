// The scope picker (#scope-picker): the management-group tree with its
// subscriptions and linked accounts, and the billing accounts, from
// GET /api/v1/scopes (only what the user may read); searchable, usable
// from the keyboard; the choice is remembered per user in localStorage.

import { api, meta } from './api.js';

const $ = (id) => document.getElementById(id);

// kindLabel names a scope by the form of its ID: aws/accounts/… is an AWS
// linked account, azure/billingAccounts/… an Azure billing account, and
// providers/<provider>/… another provider's account or billing account.
export function kindLabel(s) {
  if (s.kind === 'ManagementGroup') return 'Management group';
  const other = /^providers\/([^/]+)\/(accounts|billingAccounts)\//.exec(s.id);
  if (other) return `${providerName(other[1])} ${other[2] === 'accounts' ? 'account' : 'billing account'}`;
  if (s.id.startsWith('aws/accounts/')) return 'AWS linked account';
  if (s.id.startsWith('aws/billing/')) return 'AWS billing account';
  if (s.id.startsWith('azure/subscriptions/')) return 'Azure subscription';
  if (s.id.startsWith('azure/billingAccounts/')) return 'Azure billing account';
  return s.kind;
}

// providerName writes a provider's slug in words: google-cloud → Google Cloud.
const providerName = (slug) => slug.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');

const storageKey = () => 'reckon.scope.' + meta('reckon-user');

export function remembered() {
  try { return localStorage.getItem(storageKey()) || ''; } catch { return ''; }
}

function remember(id) {
  try { localStorage.setItem(storageKey(), id); } catch { /* private mode */ }
}

export class Picker {
  // onChange(scope) is called when the user picks a scope.
  constructor(onChange) {
    this.onChange = onChange;
    this.scopes = [];
    this.byId = new Map();
    this.current = '';
    this.button = $('scope-button');
    this.panel = $('scope-panel');
    this.search = $('scope-search');
    this.button.addEventListener('click', () => (this.panel.hidden ? this.open() : this.close()));
    this.search.addEventListener('input', () => this.render());
    this.panel.addEventListener('keydown', (e) => this.key(e));
    document.addEventListener('click', (e) => {
      if (!this.panel.hidden && !$('scope-picker').contains(e.target)) this.close(false);
    });
  }

  // load reads the scopes; it answers the scope to show: wanted if the
  // user may read it, else the one remembered, else the first. A wanted
  // scope the user may not read (or that does not exist) is kept in
  // refused, for the page to say so rather than show another scope.
  async load(wanted) {
    const ans = await api('GET', '/api/v1/scopes');
    this.scopes = ans.value.filter((s) => s.kind !== 'Connector');
    this.byId = new Map(this.scopes.map((s) => [s.id, s]));
    this.refused = wanted && !this.byId.has(wanted) ? wanted : '';
    const pick = [wanted, remembered(), 'mg/root'].find((id) => id && this.byId.has(id)) || this.scopes[0]?.id || '';
    this.set(this.refused ? '' : pick);
    this.render();
    return pick;
  }

  has(id) { return this.byId.has(id); }
  name(id) { return this.byId.get(id)?.name || id; }
  scope(id) { return this.byId.get(id); }

  set(id) {
    this.current = id;
    const s = this.byId.get(id);
    $('scope-name').textContent = s ? `${s.name} (${kindLabel(s)})` : this.scopes.length ? 'Choose a scope' : 'No scope you can read';
    if (id) remember(id);
  }

  open() {
    this.panel.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    this.search.value = '';
    this.render();
    this.search.focus();
  }

  close(focus = true) {
    this.panel.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
    if (focus) this.button.focus();
  }

  choose(id) {
    this.set(id);
    this.close();
    this.onChange(id);
  }

  // tree lists the scopes in display order with their depth: groups with
  // what is below them, then the billing accounts; a scope whose group the
  // user cannot read starts a tree of its own.
  tree() {
    const children = new Map();
    const roots = [];
    const billing = [];
    for (const s of this.scopes) {
      if (s.kind === 'BillingAccount') { billing.push(s); continue; }
      if (s.group && this.byId.has(s.group)) {
        if (!children.has(s.group)) children.set(s.group, []);
        children.get(s.group).push(s);
      } else roots.push(s);
    }
    const out = [];
    const walk = (s, depth) => {
      out.push({ s, depth });
      for (const c of children.get(s.id) ?? []) walk(c, depth + 1);
    };
    roots.forEach((s) => walk(s, 0));
    if (billing.length) out.push({ heading: 'Billing accounts' });
    billing.forEach((s) => out.push({ s, depth: 0 }));
    return out;
  }

  render() {
    const q = this.search.value.trim().toLowerCase();
    const items = this.tree().filter((it) => !q || (it.s && (it.s.name.toLowerCase().includes(q) || it.s.id.toLowerCase().includes(q))));
    const lis = items.map((it) => {
      const li = document.createElement('li');
      if (it.heading) {
        li.className = 'tree-heading';
        li.textContent = it.heading;
        return li;
      }
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'tree-item depth-' + Math.min(q ? 0 : it.depth, 6);
      b.dataset.scope = it.s.id;
      b.dataset.testid = 'scope-option';
      if (it.s.id === this.current) b.setAttribute('aria-current', 'true');
      const name = document.createElement('span');
      name.textContent = it.s.name;
      const detail = document.createElement('span');
      detail.className = 'muted small';
      detail.textContent = `${kindLabel(it.s)} · ${it.s.id}`;
      b.append(name, detail);
      b.addEventListener('click', () => this.choose(it.s.id));
      li.append(b);
      return li;
    });
    $('scope-tree').replaceChildren(...lis);
    $('scope-empty').hidden = items.some((it) => it.s);
  }

  // key moves through the list with the arrows; Escape closes.
  key(e) {
    if (e.key === 'Escape') { e.preventDefault(); this.close(); return; }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End') return;
    const buttons = [...$('scope-tree').querySelectorAll('button')];
    if (!buttons.length) return;
    e.preventDefault();
    let i = buttons.indexOf(document.activeElement);
    if (e.key === 'Home') i = 0;
    else if (e.key === 'End') i = buttons.length - 1;
    else if (e.key === 'ArrowDown') i = i < 0 ? 0 : Math.min(i + 1, buttons.length - 1);
    else i = i <= 0 ? -1 : i - 1;
    (i < 0 ? this.search : buttons[i]).focus();
  }
}
