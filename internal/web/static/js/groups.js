// The management groups page: the tree from GET /api/v1/scopes; create,
// rename and delete groups; move accounts and subscriptions into a group,
// several at once, all or nothing. Only the changes the user's roles allow
// are offered; the API's refusals are shown in its words.

import { api } from './api.js';
import { $, busy, can, confirm, el, kindOf, movable, say, scopes } from './admin.js';

let all = [];
let byId = new Map();
const selected = new Set();

const key = (id) => encodeURIComponent(id.replace(/^mg\//, ''));

// tree returns the children of each scope and the roots: scopes whose
// group the user cannot read start a tree of their own.
function tree() {
  const children = new Map();
  const roots = [];
  for (const s of all) {
    if (s.kind === 'BillingAccount' || s.kind === 'Connector') continue;
    if (s.group && byId.has(s.group)) {
      if (!children.has(s.group)) children.set(s.group, []);
      children.get(s.group).push(s);
    } else roots.push(s);
  }
  // Groups first, then accounts, each by name.
  for (const list of children.values()) list.sort((a, b) => (a.kind !== 'ManagementGroup') - (b.kind !== 'ManagementGroup') || a.name.localeCompare(b.name));
  return { children, roots };
}

function node(s, children) {
  const kids = children.get(s.id) || [];
  const write = can(s.role, 'write');
  if (s.kind === 'ManagementGroup') {
    const actions = write ? el('span', { className: 'actions' },
      el('button', { type: 'button', 'data-testid': 'group-rename', 'aria-label': `Rename ${s.name}`, onclick: () => rename(s) }, 'Rename'),
      s.id !== 'mg/root' ? el('button', { type: 'button', className: 'danger', 'data-testid': 'group-delete', 'aria-label': `Delete ${s.name}`, onclick: () => remove(s) }, 'Delete') : null) : null;
    return el('li', { 'data-scope': s.id, 'data-testid': 'group-node' },
      el('div', { className: 'gnode' }, el('span', { className: 'name' }, s.name), el('span', { className: 'muted small' }, `${s.id} · ${kids.length ? kids.length + ' inside' : 'empty'} · you: ${s.role}`), actions,
        el('a', { href: '/access?scope=' + encodeURIComponent(s.id), className: 'small' }, 'Access')),
      kids.length ? el('ul', {}, kids.map((k) => node(k, children))) : null);
  }
  const label = el('span', { className: 'who' }, el('span', { className: 'name' }, s.name), el('span', { className: 'muted small' }, `${kindOf(s.id)} · ${s.id}`));
  const box = movable(s) && write
    ? el('label', {}, el('input', { type: 'checkbox', value: s.id, checked: selected.has(s.id), 'data-testid': 'move-check', onchange: (e) => pick(s.id, e.target.checked) }), label)
    : el('span', {}, label);
  return el('li', { 'data-scope': s.id, 'data-testid': 'scope-node' }, el('div', { className: 'gnode leaf' }, box));
}

function pick(id, on) {
  if (on) selected.add(id); else selected.delete(id);
  $('move-count').textContent = `${selected.size} selected`;
  $('move').disabled = !selected.size || !$('move-target').value;
  say($('move-error'), '');
}

function render() {
  const { children, roots } = tree();
  $('tree').replaceChildren(...roots.map((s) => node(s, children)));
  const groups = all.filter((s) => s.kind === 'ManagementGroup');
  const writable = groups.filter((g) => can(g.role, 'write'));
  const movableMine = all.filter((s) => movable(s) && can(s.role, 'write'));
  const canMove = writable.length > 0 && movableMine.length > 0;
  $('movebar').hidden = $('move-rule').hidden = !canMove;
  $('new-group').hidden = !writable.length;
  const opts = (list) => list.map((g) => new Option(`${g.name} (${g.id})`, g.id));
  const target = $('move-target').value;
  $('move-target').replaceChildren(new Option('Choose a group', ''), ...opts(writable));
  $('move-target').value = writable.some((g) => g.id === target) ? target : '';
  $('g-parent').replaceChildren(...opts(writable));
  for (const id of [...selected]) if (!byId.has(id)) selected.delete(id);
  pick('', false);
  const billing = all.filter((s) => s.kind === 'BillingAccount');
  $('billing-panel').hidden = !billing.length;
  $('billing').replaceChildren(...billing.map((b) => el('li', {}, el('span', {}, b.name), ' ', el('span', { className: 'muted small' }, `${kindOf(b.id)} · ${b.id}`))));
  say($('reader-note'), writable.length ? '' : 'You can read these scopes but change none of them: creating, renaming and deleting groups and moving accounts need Contributor on them.');
  say($('status'), all.length ? '' : 'You can read no scope yet: ask an Owner for a role.');
}

async function load() {
  try {
    all = await scopes();
    byId = new Map(all.map((s) => [s.id, s]));
    render();
  } catch (e) {
    say($('status'), '');
    say($('error'), e.message);
  }
}

async function move() {
  const target = $('move-target').value;
  const ids = [...selected];
  say($('move-status'), '');
  await busy($('move'), $('move-error'), async () => {
    try {
      await api('POST', `/api/v1/managementGroups/${key(target)}/children`, { scopes: ids });
    } catch (e) {
      throw new Error(`Nothing moved: ${e.message}`);
    }
    selected.clear();
    say($('move-status'), `Moved ${ids.length} into ${byId.get(target)?.name || target}: ${ids.map((id) => byId.get(id)?.name || id).join(', ')}.`);
    await load();
  });
}

function rename(g) {
  const d = $('rename-dialog');
  $('rename-title').textContent = `Rename ${g.name}`;
  $('rename-name').value = g.name;
  say($('rename-error'), '');
  d.showModal();
  $('rename-form').onsubmit = async (e) => {
    e.preventDefault(); // Enter in the name renames too
    try {
      await api('PATCH', `/api/v1/managementGroups/${key(g.id)}`, { name: $('rename-name').value.trim() });
      d.close();
      await load();
    } catch (err) {
      say($('rename-error'), err.message);
    }
  };
}

async function remove(g) {
  if (!await confirm(`Delete the group ${g.name} (${g.id})? Only an empty group can be deleted.`, 'Delete')) return;
  say($('error'), '');
  try {
    await api('DELETE', `/api/v1/managementGroups/${key(g.id)}`);
    say($('move-status'), `Deleted ${g.name}.`);
    await load();
  } catch (e) {
    say($('error'), `${g.name} was not deleted: ${e.message}`);
    $('error').scrollIntoView({ block: 'nearest' });
  }
}

$('rename-cancel').addEventListener('click', () => $('rename-dialog').close());
$('new-group').addEventListener('click', () => { $('create-panel').hidden = false; $('g-id').focus(); });
$('create-cancel').addEventListener('click', () => { $('create-panel').hidden = true; });
$('create-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const btn = e.submitter || $('create-form').querySelector('button[type=submit]');
  await busy(btn, $('create-error'), async () => {
    const id = $('g-id').value.trim();
    await api('POST', '/api/v1/managementGroups', { id, name: $('g-name').value.trim() || undefined, parent: $('g-parent').value });
    $('create-form').reset();
    $('create-panel').hidden = true;
    say($('move-status'), `Created mg/${id}.`);
    await load();
  });
});
$('move-target').addEventListener('change', () => pick('', false));
$('move').addEventListener('click', move);
load();
