// The budgets page (/budgets?scope=): the scope's budgets, each with a bar
// of its period's cost against its amount and its forecast marked; a
// budget opens to its notifications, its periods' history and its alerts;
// Contributors create, edit and delete budgets and dismiss alerts. Below,
// the scope's budget and anomaly alerts, active first.

import { api, meta } from './api.js';
import { $, busy, can, confirm, el, say } from './admin.js';
import { renderAlerts } from './alertlist.js';
import { historyChart } from './budgetchart.js';
import { bar, day, lastDay, money, notificationText, percent, periodText, ratesNote, shownURL } from './budgetcalc.js';
import * as form from './budgetform.js';
import { kindLabel, Picker } from './picker.js';

const params = new URLSearchParams(location.search);
let scope = params.get('scope') || '';
let write = false; // whether the user may change the scope's budgets and alerts
const measureWord = { BilledCost: 'actual cost (BilledCost)', EffectiveCost: 'amortized cost (EffectiveCost)' };

const picker = new Picker((id) => location.assign('/budgets?scope=' + encodeURIComponent(id)));

// meter is the budget's bar: a progressbar with the percent spent as its
// value and in words, the overflow past the amount in its own colour, and
// the forecast as a tick.
function meter(b, st, titleId) {
  const m = bar(st);
  const words = `${m.percent}% of the amount spent: ${money(st.spent, st.currency)} of ${money(st.amount, st.currency)}` +
    (m.forecastPercent ? `; forecast ${m.forecastPercent}% (${money(st.forecast, st.currency)})` : '');
  const fill = el('span', { className: 'meter-fill band-' + m.band });
  fill.style.width = m.fill;
  const parts = [fill];
  if (m.overflow !== '0%') {
    const over = el('span', { className: 'meter-over', 'data-testid': 'budget-overflow' });
    over.style.left = m.fill;
    over.style.width = m.overflow;
    parts.push(over);
  }
  if (m.limit) {
    const limit = el('span', { className: 'meter-limit' });
    limit.style.left = m.limit;
    parts.push(limit);
  }
  if (m.forecast) {
    const tick = el('span', { className: 'meter-forecast band-' + m.forecastBand, 'data-testid': 'budget-forecast', 'data-percent': m.forecastPercent });
    tick.style.left = m.forecast;
    parts.push(tick);
  }
  const pct = Number(m.percent);
  const track = el('div', {
    className: 'meter', role: 'progressbar', 'aria-labelledby': titleId, 'aria-valuemin': '0',
    'aria-valuemax': String(Math.max(100, Math.ceil(pct))), 'aria-valuenow': m.percent, 'aria-valuetext': words,
    'data-testid': 'budget-bar', 'data-percent': m.percent, 'data-spent': st.spent, 'data-amount': st.amount,
    'data-forecast': st.forecast, 'data-band': m.band,
  }, parts);
  // The forecast's flag stands over its tick, turned to the bar's inside
  // past the middle so that it never leaves the card.
  let flag = null;
  if (m.forecast) {
    flag = el('span', { className: 'forecast-flag' + (parseFloat(m.forecast) > 55 ? ' flag-end' : ''), 'data-testid': 'budget-forecast-label' },
      `forecast ${m.forecastPercent}%`);
    flag.style.left = m.forecast;
  }
  const legend = el('div', { className: 'meter-legend' },
    el('span', { className: 'pct band-text-' + m.band, 'data-testid': 'budget-percent' }, `${m.percent}%`),
    el('span', {}, ` spent: ${money(st.spent, st.currency)} of ${money(st.amount, st.currency)}`),
    m.forecastPercent ? el('span', { className: 'muted' }, `forecast ${money(st.forecast, st.currency)} by ${lastDay(st.period.end)}`) : null);
  return [el('div', { className: 'meter-wrap' + (flag ? ' flagged' : '') }, el('div', { className: 'meter-flags', 'aria-hidden': 'true' }, flag), track), legend];
}

// card is one budget of the list.
function card(b) {
  const titleId = 'budget-title-' + b.id;
  const st = b.status;
  const what = [b.timeGrain, st ? periodText(st.period) : `from ${day(b.startDate)}`, measureWord[b.measure] || b.measure].join(' · ');
  const parts = [
    el('div', { className: 'budget-head' }, el('h3', { id: titleId, className: 'budget-name' }, b.name),
      el('span', { className: 'muted small' }, what)),
  ];
  if (st) parts.push(...meter(b, st, titleId));
  else if (!b.error) parts.push(el('p', { className: 'muted' }, `Not in a period today: it runs from ${day(b.startDate)} to ${day(b.endDate)} (exclusive), ${money(b.amount, b.currency)} a period.`));
  if (b.error) parts.push(el('p', { className: 'error', 'data-testid': 'budget-error' }, 'Cannot be measured: ', b.error));
  if (b.filter) parts.push(el('p', { className: 'small' }, 'Filter: ', el('code', {}, b.filter)));
  if (st) {
    const note = ratesNote(st.rates, st.currency);
    if (note) parts.push(el('p', { className: 'muted small', 'data-testid': 'budget-rates' }, note));
    for (const n of st.notes || []) parts.push(el('p', { className: 'muted small' }, n));
  }
  const detail = el('details', { className: 'budget-detail', 'data-testid': 'budget-detail' },
    el('summary', {}, 'Notifications, history and alerts'), el('div', { className: 'detail-body' }));
  detail.addEventListener('toggle', () => { if (detail.open && !detail.dataset.loaded) loadDetail(b, detail); });
  parts.push(detail);
  if (write) {
    const edit = el('button', { type: 'button', 'data-testid': 'budget-edit', 'aria-label': `Edit ${b.name}` }, 'Edit');
    const del = el('button', { type: 'button', className: 'danger', 'data-testid': 'budget-delete', 'aria-label': `Delete ${b.name}` }, 'Delete');
    edit.addEventListener('click', () => form.open(b, meta('reckon-today').slice(0, 7)));
    del.addEventListener('click', () => remove(b, del));
    parts.push(el('div', { className: 'buttons' }, edit, del));
  }
  return el('li', { className: 'budget', 'data-testid': 'budget', 'data-id': b.id, 'data-name': b.name }, parts);
}

function notificationsTable(b) {
  if (!b.notifications.length) return el('p', { className: 'muted' }, 'No notification: nobody is told.');
  return el('div', { className: 'table-wrap' }, el('table', { className: 'responsive', 'data-testid': 'budget-notifications' },
    el('thead', {}, el('tr', {}, ['Notification', 'When', 'Emails', 'Roles', 'Webhooks'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, b.notifications.map((n) => el('tr', { 'data-testid': 'budget-notification' },
      el('td', { 'data-label': 'Notification' }, n.name, n.enabled ? '' : el('span', { className: 'muted' }, 'disabled')),
      el('td', { 'data-label': 'When' }, notificationText(n)),
      el('td', { 'data-label': 'Emails' }, n.contactEmails.join(', ') || '—'),
      el('td', { 'data-label': 'Roles' }, n.contactRoles.join(', ') || '—'),
      el('td', { 'data-label': 'Webhooks' }, n.webhooks.length ? n.webhooks.map((w) => el('span', { className: 'url' }, shownURL(w))) : '—'))))));
}

// historyTable is what each period cost against the amount; the current
// one is partial.
function historyTable(b) {
  const h = b.history || [];
  if (!h.length) return el('p', { className: 'muted' }, 'No period has started yet.');
  const current = b.status?.period?.start;
  return el('div', { className: 'table-wrap' }, el('table', { className: 'responsive history', 'data-testid': 'budget-history' },
    el('thead', {}, el('tr', {}, ['Period', 'Spent', 'Of the amount', ''].map((t) => el('th', { scope: 'col' }, t)))),
    el('tbody', {}, h.slice().reverse().map((p) => {
      const m = bar({ spent: p.spent, amount: b.amount });
      const fill = el('span', { className: 'meter-fill band-' + m.band });
      fill.style.width = m.fill;
      const over = el('span', { className: 'meter-over' });
      over.style.left = m.fill;
      over.style.width = m.overflow;
      const partial = p.period.start === current;
      return el('tr', { 'data-testid': 'history-row', 'data-spent': p.spent },
        el('td', { 'data-label': 'Period' }, periodText(p.period), partial ? el('span', { className: 'muted' }, 'this period, so far') : ''),
        el('td', { 'data-label': 'Spent', className: 'num' }, money(p.spent, b.currency)),
        el('td', { 'data-label': 'Of the amount', className: 'num' }, `${percent(p.spent, b.amount)}%`),
        el('td', { className: 'bar-cell', 'aria-hidden': 'true' }, el('div', { className: 'meter small-meter' }, fill, over)));
    }))));
}

// loadDetail fills an opened budget: its notifications, its history from
// GET /api/v1/budgets/{id}, and its alerts.
async function loadDetail(b, detail) {
  const body = detail.querySelector('.detail-body');
  body.replaceChildren(el('p', { className: 'muted', role: 'status' }, 'Loading the budget\'s history and alerts…'));
  try {
    const [full, alerts] = await Promise.all([
      api('GET', '/api/v1/budgets/' + encodeURIComponent(b.id)),
      api('GET', '/api/v1/alerts?' + new URLSearchParams({ budget: b.id })),
    ]);
    const list = el('ul', { className: 'alerts', 'data-testid': 'budget-alerts' });
    renderAlerts(list, alerts.value, alertOptions());
    const chart = el('div', { className: 'history-chart', role: 'img', 'data-testid': 'budget-chart' });
    body.replaceChildren(
      el('h4', {}, 'Notifications'), notificationsTable(full),
      el('h4', {}, `History of the last ${full.history?.length || 0} periods, in ${full.currency}`), chart, historyTable(full),
      el('h4', {}, 'Alerts'), alerts.value.length ? list : el('p', { className: 'muted' }, 'No alert yet: no threshold has been crossed.'));
    if (!historyChart(chart, full)) chart.remove();
    detail.dataset.loaded = '1';
  } catch (e) {
    body.replaceChildren(el('p', { className: 'error', role: 'alert' }, e.message));
  }
}

async function loadBudgets() {
  say($('error'), '');
  say($('status'), 'Loading budgets…');
  try {
    const list = (await api('GET', '/api/v1/budgets?' + new URLSearchParams({ scope }))).value;
    list.sort((a, b) => a.name.localeCompare(b.name));
    $('budgets').replaceChildren(...list.map(card));
    const empty = $('list-empty');
    empty.replaceChildren(write ? 'No budgets on this scope yet — create one with the button above.'
      : 'No budgets on this scope yet. Creating one needs Contributor on the scope.');
    empty.hidden = list.length > 0;
    say($('status'), list.length === 1 ? 'One budget.' : list.length ? `${list.length} budgets.` : '');
  } catch (e) {
    say($('status'), '');
    say($('error'), e.message);
  }
}

async function loadAlerts() {
  say($('alerts-error'), '');
  say($('alerts-status'), 'Loading alerts…');
  const q = $('alert-where').value === 'all' ? {} : { scope };
  if ($('alert-state').value) q.state = $('alert-state').value;
  if ($('alert-kind').value) q.kind = $('alert-kind').value;
  try {
    const list = (await api('GET', '/api/v1/alerts?' + new URLSearchParams(q))).value;
    renderAlerts($('alerts'), list, alertOptions());
    const active = list.filter((a) => a.state === 'active').length;
    say($('alerts-status'), list.length ? `${list.length} alert${list.length === 1 ? '' : 's'}, ${active} active.`
      : q.state || q.kind ? 'No alert matches.' : q.scope ? 'No alert on this scope: no budget threshold crossed and no anomaly found. The scopes below it may have some: choose "Every scope you can read".'
        : 'No alert on any scope you can read.');
  } catch (e) {
    say($('alerts-status'), '');
    say($('alerts-error'), e.message);
  }
}

// alertOptions are how the alerts are shown: dismissed by a Contributor
// of their own scope.
const alertOptions = () => ({ scope, dismiss, may: (a) => can(picker.scope(a.scope)?.role, 'write') });

// dismiss dismisses an active alert, then lists the alerts again.
async function dismiss(a, button) {
  const item = button.closest('[data-testid="alert"]');
  const err = el('p', { className: 'error', role: 'alert' });
  await busy(button, null, async () => {
    try {
      await api('POST', '/api/v1/alerts/' + encodeURIComponent(a.id) + '/dismiss');
      await loadAlerts();
      for (const d of document.querySelectorAll('.budget-detail[data-loaded]')) { delete d.dataset.loaded; d.open = false; }
    } catch (e) {
      err.textContent = e.message;
      item.append(err);
    }
  });
}

async function remove(b, button) {
  if (!await confirm(`Delete the budget ${b.name}? Its alerts stay as history. It cannot be undone.`, 'Delete')) return;
  await busy(button, $('error'), async () => {
    await api('DELETE', '/api/v1/budgets/' + encodeURIComponent(b.id));
    say($('status'), `Deleted ${b.name}.`);
    await loadBudgets();
  });
}

async function start() {
  form.wire(() => scope, async (b) => {
    await loadBudgets();
    say($('status'), `Saved ${b.name}.`);
    // The form is gone: the keyboard goes on from the budget saved.
    document.querySelector(`[data-testid="budget"][data-id="${b.id}"] summary`)?.focus();
    await loadAlerts();
  });
  $('new-button').addEventListener('click', () => form.open(null, meta('reckon-today').slice(0, 7)));
  for (const id of ['alert-state', 'alert-kind', 'alert-where']) $(id).addEventListener('change', loadAlerts);
  let pick;
  try {
    pick = await picker.load(scope);
  } catch (e) {
    say($('status'), '');
    say($('error'), e.message);
    return;
  }
  if (picker.refused) {
    say($('status'), '');
    say($('error'), `You may not read ${picker.refused}, or there is no such scope. Choose a scope you can read with the Scope button above.`);
    $('list-panel').hidden = $('alerts-panel').hidden = true;
    return;
  }
  if (!pick) {
    say($('status'), 'There is no scope you can read: ask an Owner for a role.');
    return;
  }
  if (pick !== scope) {
    scope = pick;
    history.replaceState(null, '', '/budgets?scope=' + encodeURIComponent(scope));
  }
  const s = picker.scope(scope);
  $('scope-title').textContent = `· ${s.name}`;
  $('scope-title').title = `${kindLabel(s)} ${s.id}`;
  document.title = `Budgets of ${s.name} · Reckon`;
  write = can(s.role, 'write');
  $('new-button').hidden = !write;
  if (!write) $('lead').append(` You are ${s.role || 'not assigned a role'} here: creating, editing and deleting budgets and dismissing alerts need Contributor.`);
  await Promise.all([loadBudgets(), loadAlerts()]);
}

start();
