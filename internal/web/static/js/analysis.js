// The cost analysis page: the URL's state → the controls, six API calls
// (the chart's series, the donut's top groups, the table, the totals now
// and before, the forecast) → the KPIs, the charts and the table. Every
// control writes the URL, so a view can be shared and bookmarked.

import { api, download, meta, query } from './api.js';
import * as charts from './charts.js';
import { describe, inclusiveEnd, previous, range, valuesRange } from './dates.js';
import { build } from './filterlang.js';
import { Filters } from './filters.js';
import * as kpi from './kpi.js';
import { parse } from './money.js';
import { Picker } from './picker.js';
import { push, read } from './state.js';
import { Table, clear as clearTable, totals } from './table.js';
import { Views } from './views.js';

const $ = (id) => document.getElementById(id);
const today = meta('reckon-today');

let state = read();
let seq = 0;
let tableRes = null;

const currentRange = () => range(state.preset, today, state.from, state.to);

const picker = new Picker((scope) => update({ scope, view: '', page: 1, currency: '' }));
const filters = new Filters({ state: () => state, range: currentRange, change: (chips, filter) => update({ chips, filter, page: 1 }) });
const table = new Table($('table'), (sort) => update({ sort, page: 1 }, false), (page) => update({ page }, false));
const views = new Views({
  state: () => state, range: currentRange, error: showError, role: () => picker.scope(state.scope)?.role,
  open: (s) => { state = s; push(state); sync(); run(); },
  saved: (v) => update({ view: v.id }, false),
});

// update changes the state, records it in the URL and redraws: all of
// it, or (reload false) only what needs no new answer.
function update(change, reload = true) {
  const scopeChanged = change.scope !== undefined && change.scope !== state.scope;
  state = { ...state, ...change };
  push(state);
  sync();
  if (scopeChanged) { views.load(state.scope); loadTags(); }
  if (reload) run();
  else if (tableRes) table.show(tableRes, state.sort, state.page);
  views.render();
}

// sync sets the controls from the state.
function sync() {
  $('preset').value = state.preset;
  $('custom-range').hidden = state.preset !== 'custom';
  const r = currentRange();
  $('from').value = r.from;
  $('to').value = r.to ? inclusiveEnd(r.to) : '';
  $('granularity').value = state.granularity;
  for (const radio of document.querySelectorAll('input[name="type"]')) radio.checked = radio.value === state.type;
  const g = $('group-by');
  if (state.groupBy && ![...g.options].some((o) => o.value === state.groupBy)) $('group-by-tags').append(new Option(state.groupBy, state.groupBy));
  g.value = state.groupBy;
  $('filter-text').textContent = build(state.chips, state.filter) || 'none';
  filters.render(state);
  $('scope-title').textContent = state.scope ? '· ' + picker.name(state.scope) : '';
  // The rows under the view: its scope, range and filters (FOCUS rows hold both costs, so not its type).
  const filter = build(state.chips, state.filter);
  const p = new URLSearchParams({ scope: state.scope, format: 'focus-csv', ...(r.from ? { from: r.from, to: r.to } : {}), ...(filter ? { filter } : {}) });
  $('csv-rows').href = '/api/v1/export?' + p;
  $('csv-rows').download = `reckon-rows-${r.from || 'all'}-${r.to || 'time'}.csv`;
}

$('preset').addEventListener('change', (e) => {
  const r = currentRange();
  update({ preset: e.target.value, from: r.from, to: $('to').value, page: 1 });
});
for (const id of ['from', 'to']) {
  $(id).addEventListener('change', () => {
    if ($('from').value && $('to').value && $('from').value <= $('to').value) update({ preset: 'custom', from: $('from').value, to: $('to').value, page: 1 });
  });
}
$('granularity').addEventListener('change', (e) => update({ granularity: e.target.value, page: 1 }));
for (const radio of document.querySelectorAll('input[name="type"]')) radio.addEventListener('change', (e) => update({ type: e.target.value }));
$('group-by').addEventListener('change', (e) => update({ groupBy: e.target.value, page: 1, sort: '' }));
$('currency').addEventListener('change', (e) => { update({ currency: e.target.value }, false); draw(); });
addEventListener('popstate', () => { const scope = state.scope; state = read(); sync(); if (state.scope !== scope) views.load(state.scope); run(); });

$('csv-table').addEventListener('click', async () => {
  const r = currentRange();
  try {
    download(await api('POST', '/api/v1/query', { scope: state.scope, ...tableSpec(r) }, 'text/csv'), `reckon-table-${r.from || 'all'}-${r.to || 'time'}.csv`);
  } catch (e) {
    showError('The table could not be downloaded: ' + e.message);
  }
});

function showError(message) {
  $('error').hidden = !message;
  $('error').textContent = message || '';
}

function baseSpec(r) {
  const spec = r.from ? { from: r.from, to: r.to, type: state.type } : { type: state.type };
  const filter = build(state.chips, state.filter);
  if (filter) spec.filter = filter;
  return spec;
}

const groupBy = () => (state.groupBy ? [state.groupBy] : undefined);
const tableSpec = (r) => ({ ...baseSpec(r), granularity: state.granularity, groupBy: groupBy(), pageSize: 10000 });

let answers = null;

// run asks the API for everything the page shows; a newer run wins.
async function run() {
  if (!state.scope) return;
  const mine = ++seq;
  const r = currentRange();
  const prev = previous(r);
  const base = baseSpec(r);
  const top = state.groupBy ? { groupBy: groupBy(), top: 10 } : {};
  showError('');
  $('status').textContent = `Loading ${describe(r)}…`;
  document.body.setAttribute('aria-busy', 'true');
  kpi.loading($('total'));
  const calls = [
    state.granularity === 'none' ? Promise.resolve(null) : query(state.scope, { ...base, granularity: state.granularity, ...top }),
    query(state.scope, { ...base, ...top }),
    query(state.scope, tableSpec(r)),
    query(state.scope, base),
    prev ? query(state.scope, { ...base, from: prev.from, to: prev.to }) : Promise.resolve({ columns: [{ name: 'Cost' }, { name: 'Currency' }], rows: [] }),
    api('POST', '/api/v1/forecast', { scope: state.scope, type: state.type, ...(base.filter ? { filter: base.filter } : {}) }).catch((e) => e),
  ];
  const settled = await Promise.allSettled(calls);
  if (mine !== seq) return;
  document.body.removeAttribute('aria-busy');
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) {
    $('status').textContent = '';
    showError(failed.reason.message);
    $('total').replaceChildren();
    for (const id of ['chart', 'donut']) charts.clear($(id), 'No chart: the query failed.');
    clearTable($('table'), 'No table: the query failed.');
    answers = tableRes = null;
    $('currency-control').hidden = true;
    $('chart-caption').textContent = '';
    return;
  }
  const [series, groups, tbl, now, before, fc] = settled.map((s) => s.value);
  answers = { series, groups, r };
  tableRes = tbl;
  kpi.show($('total'), new Map(totals(now)), new Map(totals(before)), fc, prev && describe(prev));
  table.show(tbl, state.sort, state.page);
  $('status').textContent = `${describe(r)}. ` + (tbl.nextLink ? 'The table shows the first 10,000 rows; the CSV download has them all.' : '');
  draw();
}

// draw renders the charts: every currency side by side (never added
// up), or the one the select picks.
function draw() {
  if (!answers) return;
  const { series, groups } = answers;
  const all = totals(groups).map(([c]) => c);
  const iGroup = groups.columns.length > 2 ? 2 : -1;
  charts.setGroups(groups.rows.map((r) => (iGroup >= 0 ? r[iGroup] || '(empty)' : 'Cost')));
  $('currency-control').hidden = all.length < 2;
  $('currency').replaceChildren(new Option('Each currency, side by side', ''), ...all.map((c) => new Option(c, c)));
  const currencies = all.includes(state.currency) ? [state.currency] : all;
  $('currency').value = currencies.length === 1 && all.length > 1 ? currencies[0] : '';
  if (!currencies.length) {
    charts.clear($('chart'), 'No costs in this range and scope.');
    charts.clear($('donut'), 'No costs in this range and scope.');
    return;
  }
  $('chart-title').textContent = series ? 'Cost over time' : 'Cost by group';
  if (series) {
    if ($('chart').querySelector('.empty')) $('chart').replaceChildren();
    charts.stacked($('chart'), series, currencies);
    $('chart-caption').textContent = `${state.granularity}, ${currencies.join(' and ')}${state.groupBy ? ', top 10 ' + state.groupBy + ' and Others' : ''}`;
  } else {
    if ($('chart').querySelector('.empty')) $('chart').replaceChildren();
    charts.bars($('chart'), groups, currencies);
    $('chart-caption').textContent = `in all, ${currencies.join(' and ')}${state.groupBy ? ', top 10 ' + state.groupBy + ' and Others' : ''}`;
  }
  if (groups.rows.some((row) => parse(row[0]) > 0n)) {
    if ($('donut').querySelector('.empty')) $('donut').replaceChildren();
    charts.donut($('donut'), groups, currencies);
  } else charts.clear($('donut'), 'No positive costs to compare.');
}

// loadTags lists the scope's tag keys in the group-by and filter pickers.
async function loadTags() {
  const r = valuesRange(currentRange(), today);
  try {
    const ans = await api('GET', '/api/v1/dimensions?' + new URLSearchParams({ scope: state.scope, from: r.from, to: r.to, limit: '1' }));
    const keys = [...new Set((ans.tagKeys?.keys ?? []).map((k) => k.name))];
    $('group-by-tags').replaceChildren(...keys.map((k) => new Option(k, k)));
    filters.setTags(keys);
    sync();
  } catch { /* the pickers keep the columns */ }
}

picker.load(state.scope).then((scope) => {
  if (!scope) {
    $('status').textContent = '';
    showError('You may read no scope yet. Ask an Owner to assign you a role on a management group, subscription or account.');
    return;
  }
  if (picker.refused) {
    // A shared URL of a scope this user may not read: say so, show none
    // of another scope's costs, and let the picker choose one.
    $('status').textContent = '';
    $('total').replaceChildren();
    for (const id of ['chart', 'donut']) charts.clear($(id), `No chart: you may not read ${picker.refused}.`);
    clearTable($('table'), `No table: you may not read ${picker.refused}.`);
    $('chart-caption').textContent = '';
    showError(`You may not read ${picker.refused}, or there is no such scope. Choose a scope you can read with the Scope button above.`);
    return;
  }
  state.scope = scope;
  push(state, true);
  sync();
  views.load(scope);
  loadTags();
  run();
}).catch((e) => showError('The scopes could not be listed: ' + e.message));
sync();
