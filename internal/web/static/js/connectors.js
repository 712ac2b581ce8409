// The connectors page: the list (/connectors) with the create form, and one
// connector (/connectors/{name}) with its settings, verify, collect now,
// edit, delete, and the AWS set-up and reconciliation commands.

import { api } from './api.js';
import { $, busy, can, confirm, el, kindOf, say, scopes, when } from './admin.js';
import { showAWS } from './awspanel.js';
import { codeLine, renderChecks } from './checks.js';

const detailName = decodeURIComponent(location.pathname.replace(/^\/connectors\/?/, ''));
let roles = new Map(); // scope ID → the user's role
let editing = null; // the connector the form edits, or null to create

const kindName = { aws: 'AWS connector', 'azure-export': 'Azure export source', focus: 'FOCUS source' };
const isSource = (c) => c.kind === 'azure-export' || c.kind === 'focus';

// statusText is the connector's lifecycle state in words.
function statusText(c) {
  switch (c.state) {
    case 'Trial': return `Trial, ${c.trialDaysLeft} day${c.trialDaysLeft === 1 ? '' : 's'} left`;
    case 'Active': return c.autoRenew ? 'Active, renews automatically' : 'Active';
    case 'Disabled': return `Disabled${c.disabledAt ? ' since ' + when(c.disabledAt) : ''}: not collecting; deleted with its data three months after`;
    case 'Deleted': return 'Deleted';
    default: return c.state;
  }
}

// collection describes the last collection: when it ran, when it last
// loaded something, and its error with what to do.
function collection(c) {
  const info = c.collectionInfo;
  if (!info) return [el('span', { className: 'muted' }, 'Not collected since the server started')];
  const out = [el('div', {}, 'Last checked ' + when(info.lastChecked))];
  out.push(el('div', { className: 'muted' }, info.lastUpdated ? 'Last updated ' + when(info.lastUpdated) : 'Nothing loaded yet'));
  if (info.error) {
    out.push(el('div', { className: 'error', 'data-testid': 'collection-error' },
      codeLine(info.error.code, info.error.message), el('span', { className: 'small' }, 'Failing since ' + when(info.error.startTime))));
  }
  return out;
}

function renderList(list) {
  const rows = list.map((c) => el('tr', { 'data-testid': 'connector-row', 'data-name': c.id.replace('connectors/', '') },
    el('td', { 'data-label': 'Name' }, el('a', { href: '/connectors/' + encodeURIComponent(c.id.replace('connectors/', '')) }, c.displayName),
      el('span', { className: 'muted small' }, c.id)),
    el('td', { 'data-label': 'Kind' }, kindName[c.kind] || c.kind),
    el('td', { 'data-label': 'Status' }, el('span', { className: 'status ' + (c.state || '').toLowerCase() }, statusText(c))),
    el('td', { 'data-label': 'Last collection' }, collection(c)),
    el('td', { 'data-label': 'Billing account' }, c.billingAccount
      ? el('a', { href: '/analysis?scope=' + encodeURIComponent(c.billingAccount) }, c.billingAccount)
      : el('span', { className: 'muted' }, isSource(c) ? 'Found in its data' : '—'))));
  $('list').replaceChildren(
    el('thead', {}, el('tr', {}, ['Name', 'Kind', 'Status', 'Last collection', 'Billing account'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows));
  $('list').hidden = !list.length;
  $('list-empty').hidden = list.length > 0;
}

// props shows a connector's settings: never its external ID, which the API
// does not send; a source's credential only by its variable's name.
function renderProps(c) {
  const rows = [['Name', c.id], ['Kind', kindName[c.kind] || c.kind], ['Status', statusText(c)], ['Created', when(c.created) + ' by ' + c.creator]];
  if (isSource(c)) {
    rows.push(['Storage', [c.storageUrl, c.container, c.prefix].filter(Boolean).join(' / ') || c.bucket],
      ['Credential', c.credentialEnv ? `the ${c.credentialType === 'key' ? 'account key' : 'SAS token'} in the server's environment variable ${c.credentialEnv}` : '—']);
  } else {
    rows.push(['Role ARN', c.roleArn], ['External ID', 'set (never shown)'], ['Report', c.reportName],
      ['Billing account', c.billingAccount || '—'], ['Renewal', c.autoRenew ? 'automatic, billed to ' + c.billingSubscription : 'none: disabled when the trial ends']);
  }
  rows.push(['Default group', c.defaultManagementGroup || 'mg/root']);
  $('props').replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]),
    el('dt', {}, 'Last collection'), el('dd', {}, collection(c)));
}

async function loadList() {
  say($('error'), '');
  try {
    const list = (await api('GET', '/api/v1/connectors')).value;
    renderList(list);
    say($('status'), list.length === 1 ? 'One connector or source.' : list.length ? `${list.length} connectors and sources.` : '');
  } catch (e) {
    say($('status'), '');
    say($('error'), e.message);
  }
}

async function loadDetail() {
  say($('error'), '');
  try {
    const c = await api('GET', '/api/v1/connectors/' + encodeURIComponent(detailName));
    $('page-title').textContent = c.displayName;
    document.title = c.displayName + ' · Reckon';
    renderProps(c);
    const role = roles.get(c.id);
    const write = can(role, 'write');
    for (const id of ['verify', 'collect', 'edit']) $(id).hidden = !write;
    $('delete').hidden = !can(role, 'access');
    say($('actions-note'), write ? (can(role, 'access') ? '' : 'Deleting needs Owner on the connector.')
      : `You are ${role || 'not assigned a role'} on this connector: verifying, collecting and editing need Contributor, deleting needs Owner.`);
    $('detail').hidden = false;
    say($('status'), '');
    showAWS(c, role);
    return c;
  } catch (e) {
    say($('status'), '');
    say($('error'), e.message);
    return null;
  }
}

// The form: create, or edit the connector shown.
function setKind(kind) {
  for (const r of document.querySelectorAll('input[name="kind"]')) r.checked = r.value === kind;
  const source = kind !== 'aws';
  for (const n of document.querySelectorAll('.aws-only')) n.hidden = source;
  for (const n of document.querySelectorAll('.source-only')) n.hidden = !source;
  $('f-role').required = $('f-report').required = !source && !editing;
  $('f-external').required = !source && !editing;
  $('f-url').required = $('f-container').required = $('f-env').required = source && !editing;
}

function openForm(c) {
  editing = c;
  $('form').reset();
  $('form-title').textContent = c ? 'Edit ' + c.displayName : 'Add a connector or source';
  $('form-submit').textContent = c ? 'Save' : 'Create and verify';
  $('f-name').disabled = !!c;
  $('kind-field').disabled = !!c;
  for (const n of document.querySelectorAll('.edit-hint')) n.hidden = !c;
  setKind(c ? c.kind : 'aws');
  if (c) {
    $('f-name').value = c.id.replace('connectors/', '');
    // A default group the user cannot read stays as it is.
    const g = c.defaultManagementGroup;
    if (g && ![...$('f-group').options].some((o) => o.value === g)) $('f-group').append(new Option(g, g));
    const fields = { 'f-display': 'displayName', 'f-group': 'defaultManagementGroup', 'f-role': 'roleArn', 'f-report': 'reportName',
      'f-url': 'storageUrl', 'f-container': 'container', 'f-prefix': 'prefix', 'f-env': 'credentialEnv', 'f-ctype': 'credentialType' };
    for (const [id, k] of Object.entries(fields)) if (c[k]) $(id).value = c[k];
  }
  say($('form-error'), '');
  $('form-panel').hidden = false;
  $('f-name').disabled ? $('f-display').focus() : $('f-name').focus();
}

// body is what the form sends: on an edit only what changed, and the
// external ID only when one was typed.
function body() {
  const kind = document.querySelector('input[name="kind"]:checked').value;
  const names = kind === 'aws' ? ['displayName', 'defaultManagementGroup', 'roleArn', 'externalId', 'reportName']
    : ['displayName', 'defaultManagementGroup', 'storageUrl', 'container', 'prefix', 'credentialEnv', 'credentialType'];
  const out = editing ? {} : { name: $('f-name').value.trim(), kind };
  for (const n of names) {
    const v = $('form').elements[n].value.trim();
    if (editing ? (n === 'externalId' ? v !== '' : v !== (editing[n] || '')) : v !== '') out[n] = v;
  }
  return out;
}

async function submit(e) {
  e.preventDefault();
  const b = body();
  await busy($('form-submit'), $('form-error'), async () => {
    $('checks-panel').hidden = true;
    if (editing) {
      const res = await api('PATCH', '/api/v1/connectors/' + encodeURIComponent(detailName), b);
      $('form-panel').hidden = true;
      if (res.verification) showChecks(res.verification.checks);
      await loadDetail();
      return;
    }
    const created = await api('POST', '/api/v1/connectors', b);
    $('f-external').value = '';
    $('form-panel').hidden = true;
    const name = created.id.replace('connectors/', '');
    say($('status'), `Created ${created.displayName}; verifying it…`);
    await loadList();
    await verify(name);
    say($('status'), '');
    $('checks-status').append(' ', el('a', { href: '/connectors/' + encodeURIComponent(name) }, `Open ${created.displayName}`), ' to collect, edit or verify again.');
  });
}

function showChecks(checks) {
  renderChecks($('checks'), $('checks-status'), checks);
  $('checks-panel').hidden = false;
}

async function verify(name) {
  $('checks-panel').hidden = false;
  $('checks').replaceChildren();
  $('checks-status').textContent = 'Verifying: assuming the role, reading the report, listing the bucket…';
  try {
    const res = await api('POST', '/api/v1/connectors/' + encodeURIComponent(name) + '/verify');
    showChecks(res.checks);
  } catch (e) {
    $('checks-status').textContent = 'Verification could not run: ' + e.message;
  }
}

async function collectNow() {
  const out = $('collect-out');
  $('collect-panel').hidden = false;
  out.replaceChildren(el('p', { className: 'muted', role: 'status' }, 'Collecting: finding new report versions and loading them…'));
  await busy($('collect'), null, async () => {
    try {
      const res = await api('POST', '/api/v1/connectors/' + encodeURIComponent(detailName) + '/collect');
      out.replaceChildren(
        el('h3', {}, 'Summary'), res.summary?.length ? el('ul', {}, res.summary.map((l) => el('li', {}, l))) : el('p', { className: 'muted' }, 'Nothing new to load.'),
        res.warnings?.length ? [el('h3', {}, 'Warnings'), el('ul', {}, res.warnings.map((l) => el('li', {}, l)))] : null,
        el('h3', {}, 'Discovered scopes'), res.discovered?.length
          ? el('ul', { 'data-testid': 'discovered' }, res.discovered.map((id) => el('li', {}, el('a', { href: '/analysis?scope=' + encodeURIComponent(id) }, id), ' ', el('span', { className: 'muted' }, kindOf(id)))))
          : el('p', { className: 'muted' }, 'No new scope: every account found was known already.'));
    } catch (e) {
      out.replaceChildren(el('div', { className: 'error', role: 'alert' }, e.message));
    }
    await loadDetail();
  });
}

async function remove(c) {
  if (!await confirm(`Delete ${c.displayName}? It stops collecting now; the next periodic job removes its scopes and their data. It cannot be undone.`, 'Delete')) return;
  await busy($('delete'), $('error'), async () => {
    await api('DELETE', '/api/v1/connectors/' + encodeURIComponent(detailName));
    location.assign('/connectors');
  });
}

async function start() {
  try {
    const all = await scopes();
    roles = new Map(all.map((s) => [s.id, s.role]));
    for (const g of all.filter((s) => s.kind === 'ManagementGroup' && s.id !== 'mg/root')) $('f-group').append(new Option(`${g.name} (${g.id})`, g.id));
  } catch (e) {
    say($('error'), e.message);
  }
  $('form').addEventListener('submit', submit);
  $('form-cancel').addEventListener('click', () => { $('form-panel').hidden = true; });
  for (const r of document.querySelectorAll('input[name="kind"]')) r.addEventListener('change', () => setKind(r.value));
  if (!detailName) {
    const mayCreate = can(roles.get('mg/root'), 'write');
    $('new-button').hidden = !mayCreate;
    if (!mayCreate) $('lead').append(' Adding one needs Contributor at the Tenant Root Group.');
    $('new-button').addEventListener('click', () => openForm(null));
    await loadList();
    return;
  }
  $('new-button').hidden = true;
  $('back').hidden = false;
  $('list-panel').hidden = true;
  $('lead').hidden = true;
  const c = await loadDetail();
  if (!c) return;
  $('verify').addEventListener('click', () => busy($('verify'), $('error'), () => verify(detailName)));
  $('collect').addEventListener('click', collectNow);
  $('edit').addEventListener('click', async () => openForm(await loadDetail()));
  $('delete').addEventListener('click', async () => remove(await loadDetail() || c));
}

start();
