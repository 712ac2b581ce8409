// An AWS connector's page, below its settings: the role's policies as
// reckon aws setup-policy writes them (GET …/setupPolicy), and the
// reconciliation with Cost Explorer per month and linked account
// (POST …/reconcile), each with what the user's role allows.

import { api } from './api.js';
import { $, busy, can, el, say } from './admin.js';
import { parse, round } from './money.js';

let connector = null;
const path = (what) => `/api/v1/connectors/${encodeURIComponent(connector.id.replace('connectors/', ''))}/${what}`;

// showAWS shows the panels for an AWS connector c, on which the user has
// role; a source has neither.
export function showAWS(c, role) {
  connector = c;
  const aws = c.kind === 'aws';
  $('policy-panel').hidden = !aws;
  $('reconcile-panel').hidden = !aws;
  $('reconcile-form').hidden = !can(role, 'write');
  if (aws && !can(role, 'write')) say($('reconcile-status'), 'Comparing with Cost Explorer needs Contributor on the connector.');
}

const pretty = (v) => JSON.stringify(v, null, 2);

async function writePolicies(e) {
  e.preventDefault();
  const q = new URLSearchParams({ bucket: $('p-bucket').value.trim(), prefix: $('p-prefix').value.trim() });
  if ($('p-trusted').value.trim()) q.set('trustedAccount', $('p-trusted').value.trim());
  await busy(e.submitter || $('policy-form').querySelector('button'), $('policy-error'), async () => {
    $('policy-out').hidden = true;
    const p = await api('GET', path('setupPolicy') + '?' + q);
    $('policy-arn').textContent = p.policyArn;
    $('permissions-json').textContent = pretty(p.permissionsPolicy);
    $('trust-json').textContent = pretty(p.trustPolicy);
    $('policy-commands').textContent = p.commands.join('\n');
    $('policy-out').hidden = false;
  });
}

async function copy(id) {
  try {
    await navigator.clipboard.writeText($(id).textContent);
    $('copy-status').textContent = 'Copied.';
  } catch {
    $('copy-status').textContent = 'The browser refused to copy: select the text and copy it.';
  }
}

const money = (s) => round(parse(s), 2);

async function reconcile(e) {
  e.preventDefault();
  const table = $('reconcile-table');
  table.hidden = true;
  say($('reconcile-status'), 'Asking Cost Explorer…');
  await busy($('reconcile'), null, async () => {
    try {
      const r = await api('POST', path('reconcile') + '?' + new URLSearchParams({ metric: $('r-metric').value }));
      if (!r.rows.length) {
        say($('reconcile-status'), 'Nothing to compare: the connector has loaded no cost yet. Collect it first.');
        return;
      }
      const bad = r.rows.filter((x) => !x.match).length;
      say($('reconcile-status'), bad ? `${bad} of ${r.rows.length} totals differ from Cost Explorer by half a cent or more.`
        : `All ${r.rows.length} totals match Cost Explorer's ${r.metric} to the cent (Reckon's ${r.reckonCost}).`);
      table.replaceChildren(
        el('thead', {}, el('tr', {}, ['Month', 'Account', 'Reckon', 'Cost Explorer', 'Difference', ''].map((h, i) =>
          el('th', { scope: 'col', className: i >= 2 && i <= 4 ? 'num' : '' }, h)))),
        el('tbody', {}, r.rows.map((x) => el('tr', { 'data-testid': 'reconcile-row' },
          el('td', { 'data-label': 'Month' }, x.month),
          el('td', { 'data-label': 'Account' }, x.account),
          el('td', { 'data-label': 'Reckon', className: 'num' }, money(x.reckon)),
          el('td', { 'data-label': 'Cost Explorer', className: 'num' }, money(x.provider)),
          el('td', { 'data-label': 'Difference', className: 'num' }, money(x.difference)),
          el('td', {}, el('span', { className: 'status ' + (x.match ? 'ok' : 'error') }, x.match ? 'Match' : 'Differs'))))));
      table.hidden = false;
    } catch (err) {
      say($('reconcile-status'), 'The comparison could not run: ' + err.message);
    }
  });
}

$('policy-form').addEventListener('submit', writePolicies);
$('reconcile-form').addEventListener('submit', reconcile);
for (const b of document.querySelectorAll('[data-copy]')) b.addEventListener('click', () => copy(b.dataset.copy));
