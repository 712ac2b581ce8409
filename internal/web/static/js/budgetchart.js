// A budget's history as a small bar chart, drawn by the vendored ECharts
// (a global from its script) as charts.js draws: each period's spent in
// its colour band, the amount as a line, the current period lighter, since
// it is partial. The table beside it holds the same numbers in words.

import { band, day, money, percent } from './budgetcalc.js';
import { parse, toNumber } from './money.js';

const colours = { ok: '#009E73', warn: '#E69F00', over: '#D55E00' };
const dark = () => matchMedia('(prefers-color-scheme: dark)').matches;
const ink = () => (dark() ? '#e6e6e6' : '#1a1a1a');

addEventListener('resize', () => {
  for (const el of document.querySelectorAll('[data-testid="budget-chart"]')) echarts.getInstanceByDom(el)?.resize();
});

// tip is a tooltip built as elements, not HTML text (the CSP's way).
function tip(lines) {
  const root = document.createElement('div');
  for (const l of lines) {
    const d = document.createElement('div');
    d.textContent = l;
    root.append(d);
  }
  return root;
}

// historyChart draws b.history (oldest first) into el; it says in
// aria-label what it shows.
export function historyChart(el, b) {
  if (typeof echarts === 'undefined' || !b.history?.length) return false;
  const current = b.status?.period?.start;
  const label = (p) => day(p.period.start).slice(0, 7);
  const data = b.history.map((p) => {
    const partial = p.period.start === current;
    return { value: toNumber(parse(p.spent)), exact: p.spent, partial, itemStyle: { color: colours[band(p.spent, b.amount)], opacity: partial ? 0.55 : 1 } };
  });
  el.setAttribute('aria-label', `Spent per period against ${money(b.amount, b.currency)}: ` +
    b.history.map((p, i) => `${label(p)} ${money(p.spent, b.currency)} (${percent(p.spent, b.amount)}%${data[i].partial ? ', so far' : ''})`).join('; '));
  const chart = echarts.getInstanceByDom(el) || echarts.init(el, null, { renderer: 'svg' });
  chart.setOption({
    animation: false, textStyle: { color: ink() },
    grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
    tooltip: { trigger: 'item', confine: true, formatter: (p) => tip([
      label(b.history[p.dataIndex]) + (p.data.partial ? ' (so far)' : ''),
      `${money(p.data.exact, b.currency)}, ${percent(p.data.exact, b.amount)}% of ${money(b.amount, b.currency)}`]) },
    xAxis: { type: 'category', data: b.history.map(label), axisLabel: { color: ink() } },
    yAxis: { type: 'value', axisLabel: { color: ink() }, splitLine: { lineStyle: { color: dark() ? '#444' : '#ddd' } } },
    series: [{
      type: 'bar', data, barMaxWidth: 36,
      markLine: { symbol: 'none', silent: true, lineStyle: { color: ink(), type: 'dashed' },
        label: { color: ink(), formatter: () => 'amount ' + money(b.amount, b.currency), position: 'insideEndTop' },
        data: [{ yAxis: toNumber(parse(b.amount)) }] },
    }],
  }, true);
  return true;
}
