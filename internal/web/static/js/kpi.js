// The KPI header (#total): per currency, the total, the change from the
// previous period of the same length, and the forecast to the end of the
// month with its 80% band.

import { change, format, parse, text } from './money.js';

function el(tag, cls, content, testid) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (content !== undefined) e.textContent = content;
  if (testid) e.dataset.testid = testid;
  return e;
}

// show renders the KPIs. now and before map currency → units; forecast is
// the answer of POST /api/v1/forecast (or an Error); prevText names the
// previous period.
export function show(root, now, before, forecast, prevText) {
  const currencies = [...new Set([...now.keys(), ...before.keys()])].sort((a, b) => ((now.get(b) ?? 0n) > (now.get(a) ?? 0n) ? 1 : -1));
  if (!currencies.length) {
    root.replaceChildren(el('p', 'empty', 'No costs in this range and scope.'));
    root.dataset.value = '0';
    return;
  }
  const cards = currencies.map((cur) => {
    const v = now.get(cur) ?? 0n;
    const b = before.get(cur) ?? 0n;
    const card = el('div', 'kpi');
    card.dataset.currency = cur;
    card.dataset.value = text(v);
    card.append(el('div', 'kpi-label', currencies.length > 1 ? `Total in ${cur}` : 'Total'));
    card.append(el('div', 'kpi-value', format(v, cur), 'kpi-value'));
    const pct = change(v, b);
    const delta = el('div', 'kpi-detail', '', 'kpi-previous');
    if (!prevText) delta.textContent = 'All time: there is no previous period to compare with.';
    else if (pct === null) delta.textContent = `No cost in ${cur} in the previous period (${prevText}).`;
    else {
      const dir = pct > 0 ? 'up' : pct < 0 ? 'down' : 'flat';
      const arrow = { up: '▲', down: '▼', flat: '=' }[dir];
      delta.textContent = `${arrow} ${Math.abs(pct).toFixed(1)}% ${dir === 'flat' ? 'same as' : dir === 'up' ? 'more than' : 'less than'} ${format(b, cur)} in the previous period (${prevText})`;
      delta.classList.add(dir);
    }
    card.append(delta);
    const f = el('div', 'kpi-detail', '', 'kpi-forecast');
    if (forecast instanceof Error) f.textContent = 'Forecast: ' + forecast.message;
    else {
      const t = forecast?.totals?.find((x) => x.currency === cur);
      if (t) {
        f.textContent = `Forecast to ${monthName(forecast.to)}: ${format(parse(t.forecast), cur)} (80% between ${format(parse(t.low), cur)} and ${format(parse(t.high), cur)})`;
        f.dataset.value = t.forecast;
      } else f.textContent = `No forecast in ${cur}: no cost this month yet.`;
    }
    card.append(f);
    return card;
  });
  root.replaceChildren(...cards);
  root.dataset.value = currencies.length === 1 ? text(now.get(currencies[0]) ?? 0n) : '';
  root.dataset.currency = currencies.join(',');
}

// monthName is "the end of November" for a forecast whose period ends on
// 2026-12-01 (exclusive).
function monthName(to) {
  const d = new Date(to + 'T00:00:00Z');
  d.setUTCDate(0);
  return 'the end of ' + d.toLocaleDateString('en-GB', { month: 'long', timeZone: 'UTC' });
}

export function loading(root) {
  root.replaceChildren(el('p', 'muted', 'Loading totals…'));
}
