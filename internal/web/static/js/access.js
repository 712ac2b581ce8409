// The access page (/access?scope=…): the role assignments made on a scope
// and those it inherits, explained in words by the rules of product.md §6;
// an Owner of the scope adds and removes them.

import { api } from './api.js';
import { $, busy, can, confirm, el, kindOf, say, scopes } from './admin.js';

let all = [];
let byId = new Map();
let scope = null;

const list = async (id) => (await api('GET', '/api/v1/roleAssignments?scope=' + encodeURIComponent(id))).value;

// ancestors are the groups above a scope that it inherits from, nearest
// first, as far as the user can read them; hidden is the first group the
// user cannot read, or "".
function ancestors(s) {
  const out = [];
  let g = s.group;
  while (g && byId.has(g)) {
    out.push(byId.get(g));
    g = byId.get(g).group;
  }
  return { groups: out, hidden: g || '' };
}

// rules says in words where the scope's access comes from.
function rules(s, groups) {
  const p = (...t) => el('p', {}, ...t);
  const rule = (testid, ...t) => el('p', { className: 'rule', 'data-testid': testid }, ...t);
  const out = [];
  const up = groups.length ? `its group ${groups[0].name} (${groups[0].id})` + (groups.length > 1 ? ' and every group above it' : '') : 'the groups above it';
  switch (s.kind) {
    case 'ManagementGroup':
      out.push(p(s.id === 'mg/root' ? 'The Tenant Root Group is the top of the tree: its assignments reach every group, subscription and linked account.'
        : `A management group takes the assignments made on it and those of ${up}; everything inside it inherits them.`));
      break;
    case 'Subscription':
      out.push(p(`An Azure subscription takes the assignments made on it and those of ${up}.`));
      break;
    case 'LinkedAccount':
      out.push(p(`This ${kindOf(s.id)} takes the assignments made on it and those of ${up}.`));
      if (s.billingAccount) {
        out.push(rule('rule-billing', `Linked accounts do not inherit from the consolidated (billing) account: an assignment on ${byId.has(s.billingAccount) ? `${byId.get(s.billingAccount).name} (${s.billingAccount})` : s.billingAccount} does not reach this account.`));
      }
      if (s.connector) {
        out.push(p(`When ${s.connector} discovered this account, it received copies of the connector's assignments as they stood then; an assignment made on the connector later reaches only accounts discovered after it.`));
      }
      break;
    case 'BillingAccount':
      out.push(p('A billing account is outside the management-group tree: it takes only the assignments made on it.'),
        rule('rule-billing', 'Linked accounts do not inherit from the consolidated (billing) account: the assignments below do not reach its linked accounts; give access on the accounts, or on their groups.'));
      break;
    case 'Connector':
      out.push(p('A connector is outside the tree: it takes only the assignments made on it. Its creator owns it, its billing account and every account it discovers.'),
        rule('rule-connector', 'An assignment made on a connector reaches only the linked accounts it discovers from now on, not the ones it found already.'));
      break;
  }
  return out;
}

function assignmentRows(as, from, removable) {
  return as.map((a) => el('tr', { 'data-testid': 'assignment', 'data-user': a.user, 'data-role': a.role },
    el('td', { 'data-label': 'User' }, a.user),
    el('td', { 'data-label': 'Role' }, a.role),
    from ? el('td', { 'data-label': 'From' }, from) : null,
    removable ? el('td', {}, el('button', { type: 'button', className: 'danger', 'data-testid': 'assignment-remove',
      'aria-label': `Remove ${a.role} from ${a.user}`, onclick: () => remove(a) }, 'Remove')) : null));
}

const head = (...cols) => el('thead', {}, el('tr', {}, cols.map((c) => el('th', { scope: 'col' }, c))));

async function show(id) {
  scope = byId.get(id);
  say($('error'), '');
  say($('add-status'), '');
  say($('add-error'), '');
  say($('remove-error'), '');
  if (!scope) {
    say($('status'), id ? `You cannot read ${id}, or it does not exist: choose a scope above.` : 'You can read no scope yet.');
    return;
  }
  $('access-scope').value = id;
  $('scope-title').textContent = '· ' + scope.name;
  history.replaceState(null, '', '/access?scope=' + encodeURIComponent(id));
  const { groups, hidden } = ancestors(scope);
  const inherits = ['ManagementGroup', 'Subscription', 'LinkedAccount'].includes(scope.kind);
  $('rules').replaceChildren(...rules(scope, groups));
  const owner = can(scope.role, 'access');
  say($('status'), `Loading the assignments of ${scope.name}…`);
  try {
    const direct = await list(id);
    $('direct').replaceChildren(head('User', 'Role', ...(owner ? [''] : [])), el('tbody', {}, assignmentRows(direct, null, owner)));
    $('direct').hidden = !direct.length;
    $('direct-empty').hidden = direct.length > 0;
    const inherited = [];
    if (inherits) {
      for (const g of groups) inherited.push(...assignmentRows(await list(g.id), `${g.name} (${g.id})`, false));
    }
    $('inherited').replaceChildren(head('User', 'Role', 'From'), el('tbody', {}, inherited));
    $('inherited').hidden = !inherited.length;
    say($('inherited-note'), !inherits ? 'This scope inherits nothing.'
      : (inherited.length ? '' : groups.length || hidden ? 'Nothing inherited that you can see.' : 'Nothing is above this scope, so it inherits nothing.') +
        (hidden ? ` The groups above ${groups.at(-1)?.name || scope.name} are hidden from you: their assignments apply too, but you cannot list them.` : ''));
    say($('status'), '');
  } catch (e) {
    say($('status'), '');
    say($('error'), e.message);
  }
  $('add-form').hidden = !owner;
  say($('owner-note'), owner ? '' : `You are ${scope.role} here: adding and removing assignments needs Owner on this scope.`);
}

async function remove(a) {
  if (!await confirm(`Remove ${a.user}'s ${a.role} role on ${scope.name}?`, 'Remove')) return;
  try {
    await api('DELETE', '/api/v1/roleAssignments?' + new URLSearchParams({ user: a.user, role: a.role, scope: scope.id }));
    await show(scope.id);
    say($('add-status'), `Removed ${a.user}'s ${a.role} role.`);
  } catch (e) {
    say($('remove-error'), `Not removed: ${e.message}`);
  }
}

$('add-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const user = $('a-user').value.trim();
  const role = $('a-role').value;
  await busy($('assign'), $('add-error'), async () => {
    await api('POST', '/api/v1/roleAssignments', { user, role, scope: scope.id });
    $('add-form').reset();
    await show(scope.id);
    say($('add-status'), `${user} is now ${role} on ${scope.name}.`);
  });
});
$('access-scope').addEventListener('change', (e) => show(e.target.value));

async function start() {
  try {
    all = await scopes();
  } catch (e) {
    say($('status'), '');
    say($('error'), e.message);
    return;
  }
  byId = new Map(all.map((s) => [s.id, s]));
  $('access-scope').replaceChildren(...all.map((s) => new Option(`${s.name} · ${kindOf(s.id)} (${s.id})`, s.id)));
  const wanted = new URLSearchParams(location.search).get('scope');
  await show(wanted || (byId.has('mg/root') ? 'mg/root' : all[0]?.id || ''));
  if (all.some((s) => can(s.role, 'access') && s.id === 'mg/root')) {
    api('GET', '/api/v1/users').then((r) => $('users').replaceChildren(...r.value.map((u) => new Option(u.name, u.name)))).catch(() => {});
  }
}

start();
