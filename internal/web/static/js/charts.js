// The charts, drawn by the vendored ECharts (a global from its script):
// a stacked bar of cost over time and a donut of the largest groups, in
// the Okabe–Ito palette, which colour-blind readers tell apart. Amounts
// are exact decimals until drawn; a chart shows one currency at a time.

import { compact, format, parse, text, toNumber } from './money.js';

// Okabe & Ito (2008), with grey for Others.
export const palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000', '#882255', '#44AA99'];
const othersColour = '#999999';

const dark = () => matchMedia('(prefers-color-scheme: dark)').matches;
const ink = () => (dark() ? '#e6e6e6' : '#1a1a1a');

function chartOf(el) {
  return echarts.getInstanceByDom(el) || echarts.init(el, null, { renderer: 'svg' });
}

// resize follows the window.
addEventListener('resize', () => {
  for (const id of ['chart', 'donut']) {
    const el = document.getElementById(id);
    if (el) echarts.getInstanceByDom(el)?.resize();
  }
});

// colourOf gives each group its colour, the same in both charts and in
// every currency: set by setGroups from the largest group down; Others grey.
let colourOf = new Map();

export function setGroups(names) {
  colourOf = new Map();
  let i = 0;
  for (const g of names) if (g !== 'Others' && !colourOf.has(g)) colourOf.set(g, palette[i++ % palette.length]);
}

const colour = (g) => (g === 'Others' ? othersColour : colourOf.get(g) ?? palette[colourOf.size % palette.length]);

// stacked draws rows (from a query with a Date column and at most one
// group). With several currencies each has a stack of its own, side by
// side: amounts in different currencies are never added up. It records
// the exact totals it drew in data-totals (JSON, currency → decimal text)
// and, with one currency, data-total, for tests and for people checking
// it against the API.
export function stacked(el, res, currencies) {
  const cols = res.columns.map((c) => c.name);
  const iCur = cols.indexOf('Currency'), iDate = cols.indexOf('Date');
  const iGroup = cols.length > iDate + 1 ? iDate + 1 : -1;
  const many = currencies.length > 1;
  const rows = res.rows.filter((r) => currencies.includes(r[iCur]));
  const dates = [...new Set(rows.map((r) => r[iDate]))].sort();
  const key = (r) => (iGroup >= 0 ? r[iGroup] || '(empty)' : 'Cost') + (many ? ' · ' + r[iCur] : '');
  const totals = new Map();
  const byCurrency = new Map(currencies.map((c) => [c, 0n]));
  const currencyOf = new Map();
  const groupOf = new Map();
  for (const r of rows) {
    groupOf.set(key(r), iGroup >= 0 ? r[iGroup] || '(empty)' : 'Cost');
    const v = parse(r[0]);
    totals.set(key(r), (totals.get(key(r)) ?? 0n) + v);
    byCurrency.set(r[iCur], byCurrency.get(r[iCur]) + v);
    currencyOf.set(key(r), r[iCur]);
  }
  const isOthers = (g) => g === 'Others' || g.startsWith('Others · ');
  const groups = [...totals.keys()].sort((a, b) => isOthers(a) - isOthers(b) || (totals.get(b) > totals.get(a) ? 1 : -1));
  const cell = new Map(rows.map((r) => [key(r) + '\u0000' + r[iDate], parse(r[0])]));
  const series = groups.map((g) => ({
    name: g, type: 'bar', stack: currencyOf.get(g), itemStyle: { color: colour(groupOf.get(g)) }, emphasis: { focus: 'series' },
    data: dates.map((d) => toNumber(cell.get(g + '\u0000' + d) ?? 0n)),
  }));
  el.dataset.totals = JSON.stringify(Object.fromEntries([...byCurrency].map(([c, v]) => [c, text(v)])));
  if (many) delete el.dataset.total;
  else el.dataset.total = text(byCurrency.get(currencies[0]));
  el.dataset.currency = currencies.join(',');
  el.setAttribute('aria-label', `Cost over time, ${groups.length} series; total ` + [...byCurrency].map(([c, v]) => format(v, c)).join(' and '));
  const label = many ? (v) => compact(v, '') : (v) => compact(v, currencies[0]);
  chartOf(el).setOption({
    color: palette, animation: false, textStyle: { color: ink() },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true,
      formatter: (ps) => tip(ps[0]?.axisValue ?? '', ps.filter((p) => p.value).map((p) =>
        [p.color, groupOf.get(p.seriesName), format(parse(String(p.value)), currencyOf.get(p.seriesName))])) },
    legend: { type: 'scroll', bottom: 0, textStyle: { color: ink() } },
    grid: { left: 8, right: 8, top: 16, bottom: 40, containLabel: true },
    xAxis: { type: 'category', data: dates, axisLabel: { color: ink() } },
    yAxis: { type: 'value', axisLabel: { color: ink(), formatter: label }, splitLine: { lineStyle: { color: dark() ? '#444' : '#ddd' } } },
    series,
  }, true);
}

// bars draws the groups of a query without a Date, for granularity none:
// a bar per group, a series per currency (side by side, never stacked).
export function bars(el, res, currencies) {
  // Each bar has its group's colour, as in the donut; the tooltip names the currency.
  const cols = res.columns.map((c) => c.name);
  const iCur = cols.indexOf('Currency');
  const iGroup = cols.length > iCur + 1 ? iCur + 1 : -1;
  const name = (r) => (iGroup >= 0 ? r[iGroup] || '(empty)' : 'Cost');
  const rows = res.rows.filter((r) => currencies.includes(r[iCur]));
  const groups = [...new Set(rows.map(name))];
  const cell = new Map(rows.map((r) => [name(r) + '\u0000' + r[iCur], r[0]]));
  const byCurrency = Object.fromEntries(currencies.map((c) => [c, text(rows.filter((r) => r[iCur] === c).reduce((a, r) => a + parse(r[0]), 0n))]));
  el.dataset.totals = JSON.stringify(byCurrency);
  if (currencies.length === 1) el.dataset.total = byCurrency[currencies[0]];
  else delete el.dataset.total;
  el.dataset.currency = currencies.join(',');
  el.setAttribute('aria-label', 'Cost by group; total ' + currencies.map((c) => format(parse(byCurrency[c]), c)).join(' and '));
  const series = currencies.map((cur) => ({
    name: cur, type: 'bar',
    // With several currencies each bar names its own: the bars share an axis, never a sum.
    label: { show: currencies.length > 1, position: 'top', color: ink(), formatter: (p) => compact(p.value, cur) },
    data: groups.map((g) => {
      const v = cell.get(g + '\u0000' + cur);
      return v === undefined ? null : { value: toNumber(parse(v)), exact: v, itemStyle: { color: colour(g) } };
    }),
  }));
  chartOf(el).setOption({
    color: palette, animation: false, textStyle: { color: ink() },
    tooltip: { trigger: 'item', confine: true, formatter: (p) => tip('', [[p.color, p.name, format(parse(p.data.exact), p.seriesName)]]) },
    grid: { left: 8, right: 8, top: 16, bottom: 16, containLabel: true },
    xAxis: { type: 'category', data: groups, axisLabel: { color: ink(), interval: 0, rotate: groups.length > 4 ? 30 : 0, width: 120, overflow: 'truncate' } },
    yAxis: { type: 'value', axisLabel: { color: ink(), formatter: (v) => compact(v, currencies.length > 1 ? '' : currencies[0]) },
      splitLine: { lineStyle: { color: dark() ? '#444' : '#ddd' } } },
    series,
  }, true);
}

// donut draws the groups of a query without a Date (its top N and
// Others): one donut per currency.
export function donut(el, res, currencies) {
  const cols = res.columns.map((c) => c.name);
  const iCur = cols.indexOf('Currency');
  const iGroup = cols.length > iCur + 1 ? iCur + 1 : -1;
  const n = currencies.length;
  const wide = el.clientWidth > el.clientHeight * 1.4;
  const labels = [];
  const byCurrency = {};
  const series = currencies.map((cur, k) => {
    const rows = res.rows.filter((r) => r[iCur] === cur && parse(r[0]) > 0n);
    const groups = rows.map((r) => (iGroup >= 0 ? r[iGroup] || '(empty)' : 'Cost'));
    byCurrency[cur] = text(rows.reduce((a, r) => a + parse(r[0]), 0n));
    labels.push(`${cur}: ` + rows.map((r, i) => `${groups[i]} ${format(parse(r[0]), cur)}`).join(', '));
    const pos = (k + 0.5) / n * 100;
    const center = wide ? [pos + '%', '45%'] : ['50%', (n > 1 ? pos * 0.9 : 45) + '%'];
    const outer = n > 1 ? (wide ? 30 : 32) : 72;
    return {
      type: 'pie', name: cur, radius: [outer * 0.6 + '%', outer + '%'], center, avoidLabelOverlap: true,
      label: { show: n > 1, position: 'center', formatter: () => cur, color: ink() },
      data: rows.map((r, i) => ({ name: groups[i], value: toNumber(parse(r[0])), exact: r[0], currency: cur, itemStyle: { color: colour(groups[i]) } })),
    };
  });
  el.dataset.totals = JSON.stringify(byCurrency);
  el.dataset.currency = currencies.join(',');
  el.setAttribute('aria-label', 'Cost by group. ' + labels.join('. '));
  chartOf(el).setOption({
    color: palette, animation: false, textStyle: { color: ink() },
    tooltip: { trigger: 'item', confine: true,
      formatter: (p) => tip('', [[p.color, p.name, `${format(parse(p.data.exact), p.data.currency)} (${p.percent}% of ${p.data.currency})`]]) },
    legend: { type: 'scroll', bottom: 0, textStyle: { color: ink() } },
    series,
  }, true);
}

export function clear(el, message) {
  echarts.getInstanceByDom(el)?.dispose();
  el.replaceChildren();
  const p = document.createElement('p');
  p.className = 'empty';
  p.textContent = message;
  el.append(p);
  // A chart that shows nothing claims no totals (tests and people read them).
  for (const k of ['total', 'totals', 'currency']) delete el.dataset[k];
}

// tip builds a tooltip as elements, not HTML text: the CSP refuses the
// style attributes of ECharts' own markers, while a style set through the
// DOM is allowed. lines are [colour, name, amount].
function tip(title, lines) {
  const root = document.createElement('div');
  if (title) {
    const t = document.createElement('div');
    t.className = 'tip-title';
    t.textContent = title;
    root.append(t);
  }
  for (const [colour, name, amount] of lines) {
    const line = document.createElement('div');
    const dot = document.createElement('span');
    dot.className = 'tip-dot';
    dot.style.backgroundColor = colour;
    line.append(dot, `${name}: ${amount}`);
    root.append(line);
  }
  return root;
}
