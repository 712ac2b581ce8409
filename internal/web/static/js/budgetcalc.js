// What the budgets page works out, without the DOM: a budget's percent,
// colour band and bar from the API's decimal text (BigInt units, never a
// float), the create/edit form read into an API body with its mistakes in
// words, and the alerts in the order the page lists them.

import { format, parse } from './money.js';

// ratio is part/whole in tenths of a percent, rounded half away from
// zero as the alerts' messages round: 1234n is 123.4%. null when whole is
// not above 0.
export function ratio(part, whole) {
  if (whole <= 0n) return null;
  const n = part * 1000n;
  const neg = n < 0n;
  const abs = neg ? -n : n;
  let q = abs / whole;
  const r = abs % whole;
  if (r * 2n >= whole) q += 1n;
  return neg ? -q : q;
}

// pctText writes tenths of a percent: 1234n → "123.4".
export function pctText(tenths) {
  const neg = tenths < 0n;
  const abs = neg ? -tenths : tenths;
  return `${neg ? '-' : ''}${abs / 10n}.${abs % 10n}`;
}

// percent is spent/amount as "123.4" (decimal text in, text out); "" when
// the amount is not above 0.
export function percent(spent, amount) {
  const t = ratio(parse(spent), parse(amount));
  return t === null ? '' : pctText(t);
}

// band is the bar's colour: ok under 80% of the amount, warn from 80% to
// 100%, over above it. Exact: spent×100 against amount×80.
export function band(spent, amount) {
  const s = parse(spent), a = parse(amount);
  if (s > a) return 'over';
  if (s * 100n >= a * 80n) return 'warn';
  return 'ok';
}

// width is part/scale as a CSS percentage with two places ("62.50%"),
// clamped to 0–100.
function width(part, scale) {
  if (scale <= 0n || part <= 0n) return '0%';
  if (part >= scale) return '100%';
  const bp = (part * 10000n) / scale;
  return `${bp / 100n}.${String(bp % 100n).padStart(2, '0')}%`;
}

// bar lays out a budget's bar. The bar spans the largest of the amount,
// the spent and the forecast, so it never runs past 100% of its width:
// fill is the spent up to the amount, overflow the spent beyond it (its
// own colour), limit where the amount ends when something passes it, and
// forecast the forecast's tick.
export function bar(status) {
  const amount = parse(status.amount), spent = parse(status.spent);
  const forecast = status.forecast === undefined || status.forecast === null ? null : parse(status.forecast);
  let scale = amount;
  if (spent > scale) scale = spent;
  if (forecast !== null && forecast > scale) scale = forecast;
  const within = spent > amount ? amount : spent;
  const over = spent > amount ? spent - amount : 0n;
  const tenths = ratio(spent, amount);
  const fTenths = forecast === null ? null : ratio(forecast, amount);
  return {
    percent: tenths === null ? '' : pctText(tenths),
    forecastPercent: fTenths === null ? '' : pctText(fTenths),
    band: band(status.spent, status.amount),
    forecastBand: forecast === null ? '' : band(status.forecast, status.amount),
    fill: width(within, scale),
    overflow: width(over, scale),
    limit: scale > amount ? width(amount, scale) : '',
    forecast: forecast === null ? '' : width(forecast, scale),
  };
}

// money formats decimal text in a currency: "USD 1,234.57".
export const money = (value, currency) => format(parse(value), currency);

// ratesNote says how other currencies were converted into the budget's.
export function ratesNote(rates, currency) {
  if (!rates || !rates.length) return '';
  return 'Converted into ' + currency + ' at ' + rates.map((r) => `1 ${r.from} = ${r.rate} ${r.to}`).join(', ') + ' (the exchange rates Reckon holds).';
}

// day is the date of an RFC 3339 time: "2026-11-01".
export const day = (t) => String(t || '').slice(0, 10);

// lastDay is the inclusive end of a period whose end is exclusive.
export function lastDay(end) {
  const d = new Date(day(end) + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

// periodText names a period: "2026-11-01 to 2026-11-30".
export const periodText = (p) => (p ? `${day(p.start)} to ${lastDay(p.end)}` : '');

export const grains = ['Monthly', 'Quarterly', 'Annually'];
export const operators = { GreaterThan: 'above', GreaterThanOrEqualTo: 'at or above' };
export const thresholdTypes = { Actual: 'cost so far', Forecasted: 'forecast cost' };
export const roleNames = ['Owner', 'Contributor', 'Reader'];
export const maxNotifications = 5;

// list splits a field of several values: commas, semicolons, spaces or lines.
export const list = (text) => String(text || '').split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);

const emailRe = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const numberRe = /^\d+(\.\d+)?$/;

// shownURL is a webhook's URL as the page shows it: without a user, a
// password, a query or a fragment, which may hold a secret; as the API
// records a delivery's URL.
export function shownURL(u) {
  try {
    const url = new URL(u);
    const cut = url.search || url.hash ? '?…' : '';
    return `${url.protocol}//${url.username || url.password ? '…@' : ''}${url.host}${url.pathname}${cut}`;
  } catch {
    return u.replace(/[?#].*$/, '?…');
  }
}

// notificationText describes a notification in words: "Actual cost so far
// above 80% of the amount".
export function notificationText(n) {
  return `${thresholdTypes[n.thresholdType] || n.thresholdType} ${operators[n.operator] || n.operator} ${plainNumber(n.threshold)}% of the amount`;
}

// plainNumber writes a decimal's text without the zeros that end its
// fraction: 90 for 90.0, 92.5 for 92.50.
export function plainNumber(t) {
  const s = String(t);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

// readNotification turns a notification's fields (strings, and roles as a
// list) into the API's object, or the mistakes in words. n is its number
// from 1, for the messages.
export function readNotification(f, n) {
  const errors = [];
  const threshold = String(f.threshold ?? '').trim();
  if (!numberRe.test(threshold)) errors.push(`Notification ${n}: the threshold "${threshold}" is not a number of percent, such as 80.`);
  else if (parse(threshold) <= 0n || parse(threshold) > parse('1000')) errors.push(`Notification ${n}: the threshold must be above 0 and at most 1000 (percent of the amount).`);
  const operator = f.operator || 'GreaterThan';
  if (!(operator in operators)) errors.push(`Notification ${n}: the operator ${operator} is not GreaterThan or GreaterThanOrEqualTo.`);
  const thresholdType = f.thresholdType || 'Actual';
  if (!(thresholdType in thresholdTypes)) errors.push(`Notification ${n}: the type ${thresholdType} is not Actual or Forecasted.`);
  const contactEmails = list(f.emails);
  for (const e of contactEmails) if (!emailRe.test(e)) errors.push(`Notification ${n}: "${e}" is not an email address.`);
  const contactRoles = (f.roles || []).filter(Boolean);
  for (const r of contactRoles) if (!roleNames.includes(r)) errors.push(`Notification ${n}: ${r} is not a role (Owner, Contributor or Reader).`);
  const webhooks = list(f.webhooks);
  for (const w of webhooks) {
    let ok = false;
    try { ok = ['http:', 'https:'].includes(new URL(w).protocol); } catch { /* not a URL */ }
    if (!ok) errors.push(`Notification ${n}: the webhook "${w}" is not an http or https URL.`);
  }
  if (!contactEmails.length && !contactRoles.length && !webhooks.length) {
    errors.push(`Notification ${n}: give whom to tell: an email address, a role or a webhook.`);
  }
  const out = { enabled: f.enabled !== false, operator, threshold, thresholdType, contactEmails, contactRoles, webhooks };
  if (f.name) out.name = f.name;
  return { value: out, errors };
}

// readBudget turns the form's fields into the body of POST (or PATCH)
// /api/v1/budgets, or the mistakes in words. The server checks again and
// says what it refuses; these catch what can be said before asking.
export function readBudget(f, { scope, editing = false } = {}) {
  const errors = [];
  const name = String(f.name || '').trim();
  if (!name) errors.push('Give the budget a name.');
  // Commas only as thousands separators: "1,5" is refused, never read as 15.
  const typed = String(f.amount || '').trim();
  const amount = /^\d{1,3}(,\d{3})+(\.\d+)?$/.test(typed) ? typed.replace(/,/g, '') : typed;
  if (!numberRe.test(amount) || parse(amount) <= 0n) errors.push(`The amount "${typed}" is not a number above 0, such as 1000 or 2500.50 (a point before the decimals).`);
  const currency = String(f.currency || '').trim().toUpperCase();
  if (currency && !/^[A-Z]{3}$/.test(currency)) errors.push(`The currency "${currency}" is not a three-letter code such as USD; leave it empty for the scope's own.`);
  const timeGrain = f.timeGrain || 'Monthly';
  if (!grains.includes(timeGrain)) errors.push(`The period ${timeGrain} is not Monthly, Quarterly or Annually.`);
  const month = String(f.startMonth || '').trim();
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) errors.push('Give the month the budget starts in, such as 2026-11.');
  const notes = (f.notifications || []).slice();
  if (notes.length > maxNotifications) errors.push(`A budget has at most ${maxNotifications} notifications.`);
  const notifications = notes.map((n, i) => {
    const r = readNotification(n, i + 1);
    errors.push(...r.errors);
    return r.value;
  });
  const body = { name, amount, timeGrain, startDate: month + '-01', filter: String(f.filter || '').trim(), notifications };
  if (f.measure) body.measure = f.measure;
  if (currency) body.currency = currency;
  if (!editing) body.scope = scope;
  return { body, errors };
}

// fields are a budget as the form shows it, for editing.
export function fields(b) {
  return {
    name: b.name, amount: b.amount, currency: b.currency, measure: b.measure, timeGrain: b.timeGrain,
    startMonth: day(b.startDate).slice(0, 7), filter: b.filter || '',
    notifications: (b.notifications || []).map((n) => ({
      name: n.name, enabled: n.enabled, operator: n.operator, threshold: n.threshold, thresholdType: n.thresholdType,
      emails: (n.contactEmails || []).join(', '), roles: n.contactRoles || [], webhooks: (n.webhooks || []).join('\n'),
    })),
  };
}

const stateRank = { active: 0, dismissed: 1, resolved: 2 };

// sortAlerts orders alerts as the page lists them: active first, then
// dismissed, then resolved; the latest fired first within each.
export function sortAlerts(alerts) {
  return alerts.slice().sort((a, b) => (stateRank[a.state] ?? 3) - (stateRank[b.state] ?? 3) ||
    (a.fired < b.fired ? 1 : a.fired > b.fired ? -1 : 0) || (a.id < b.id ? -1 : 1));
}

// series names an anomaly's series: "ServiceName = Amazon EC2", or the
// whole scope's cost.
export const series = (an) => (an.dimension ? `${an.dimension} = ${an.value || '(empty)'}` : 'whole scope');

// anomalyFacts are an anomaly alert's facts as label and text, and its
// top causes (at most top), the largest impact first.
export function anomalyFacts(an, top = 5) {
  const cur = an.currency;
  const facts = [
    ['Date', day(an.date)], ['Series', series(an)], ['Type', an.type],
    ['Expected', money(an.expected, cur)], ['Actual', money(an.actual, cur)], ['Impact', money(an.impact, cur)],
  ];
  const abs = (v) => (v < 0n ? -v : v);
  const causes = (an.causes || []).slice().sort((a, b) => {
    const d = abs(parse(b.impact)) - abs(parse(a.impact));
    return d > 0n ? 1 : d < 0n ? -1 : 0;
  }).slice(0, top).map((c) => ({
    series: `${c.dimension} = ${c.value || '(empty)'}`,
    text: `expected ${money(c.expected, cur)}, actual ${money(c.actual, cur)}, impact ${money(c.impact, cur)}`,
  }));
  return { facts, causes };
}

// budgetFacts are a budget alert's facts as label and text.
export function budgetFacts(ba) {
  const cur = ba.currency;
  const value = ba.thresholdType === 'Forecasted' ? ba.forecast : ba.spent;
  return [
    ['Budget', ba.budgetName], ['Threshold', notificationText(ba)], ['Period', periodText(ba.period)],
    [ba.thresholdType === 'Forecasted' ? 'Forecast' : 'Spent', `${money(value, cur)} (${percent(value, ba.amount)}% of ${money(ba.amount, cur)})`],
  ];
}
