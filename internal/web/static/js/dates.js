// Date ranges for the presets, counted from the server's today (its
// injected clock, UTC). Ranges are [from, to) as YYYY-MM-DD.

const day = (s) => new Date(s + 'T00:00:00Z');
const iso = (d) => d.toISOString().slice(0, 10);
const addDays = (s, n) => { const d = day(s); d.setUTCDate(d.getUTCDate() + n); return iso(d); };
const monthStart = (s, back = 0) => { const d = day(s); return iso(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1))); };

export const presets = {
  'this-month': 'This month',
  'last-month': 'Last month',
  'last-3-months': 'Last 3 months',
  'last-6-months': 'Last 6 months',
  'last-12-months': 'Last 12 months',
  'this-year': 'This year',
  all: 'All time',
  custom: 'Custom',
};

// range resolves a preset; custom takes from and an inclusive to.
export function range(preset, today, from, toInclusive) {
  const tomorrow = addDays(today, 1);
  switch (preset) {
    case 'last-month': return { from: monthStart(today, 1), to: monthStart(today) };
    case 'last-3-months': return { from: monthStart(today, 3), to: monthStart(today) };
    case 'last-6-months': return { from: monthStart(today, 6), to: monthStart(today) };
    case 'last-12-months': return { from: monthStart(today, 12), to: monthStart(today) };
    case 'this-year': return { from: today.slice(0, 4) + '-01-01', to: tomorrow };
    case 'all': return { from: '', to: '' };
    case 'custom':
      if (from && toInclusive && from <= toInclusive) return { from, to: addDays(toInclusive, 1) };
      return { from: monthStart(today), to: tomorrow };
    default: return { from: monthStart(today), to: tomorrow };
  }
}

// previous is the period to compare r with: for a range that starts on
// the first of a month, the same days as many months before (this month
// to date against last month's first days; last month against the one
// before; this year against last year); otherwise as many days before.
export function previous(r) {
  if (!r.from) return null; // all time has none
  const f = day(r.from), t = day(r.to);
  if (f.getUTCDate() === 1) {
    const months = (t.getUTCFullYear() - f.getUTCFullYear()) * 12 + t.getUTCMonth() - f.getUTCMonth() + (t.getUTCDate() > 1 ? 1 : 0);
    const back = r.from.endsWith('-01-01') && months > 1 && months <= 12 ? 12 : months;
    return { from: shiftMonths(r.from, back), to: shiftMonths(r.to, back) };
  }
  const days = Math.round((t - f) / 86400000);
  return { from: addDays(r.from, -days), to: r.from };
}

// shiftMonths moves a day back by n months, keeping its day of the month
// where that month has it, else taking the month's last day.
function shiftMonths(s, n) {
  const d = day(s);
  const y = d.getUTCFullYear(), m = d.getUTCMonth() - n;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return iso(new Date(Date.UTC(y, m, Math.min(d.getUTCDate(), last))));
}

export const inclusiveEnd = (to) => addDays(to, -1);

// timeframe is the API's timeframe for a preset that has one, so that a
// saved view moves with the clock.
export function timeframe(preset) {
  return { 'this-month': 'MonthToDate', 'last-month': 'TheLastMonth', 'this-year': 'YearToDate' }[preset] ?? '';
}

// presetOf is the preset of a saved view's timeframe (the billing-month
// ones shown as their calendar months), or custom with the days the
// timeframe covers today.
export function presetOf(tf, today) {
  const t = String(tf).toLowerCase();
  const preset = { monthtodate: 'this-month', billingmonthtodate: 'this-month', thelastmonth: 'last-month',
    thelastbillingmonth: 'last-month', yeartodate: 'this-year' }[t];
  if (preset) return { preset };
  const monday = addDays(today, -((day(today).getUTCDay() + 6) % 7));
  const from = { weektodate: monday, thelast7days: addDays(today, -7), thelast30days: addDays(today, -30) }[t];
  if (!from) return { preset: 'all' };
  return { preset: 'custom', from, to: t === 'weektodate' ? today : addDays(today, -1) };
}

// valuesRange is the range to list dimension values over: all time is
// given from 2000 to today, as the API lists month to date without one.
export const valuesRange = (r, today) => (r.from ? r : { from: '2000-01-01', to: addDays(today, 1) });

// describe writes a range for people: "1 Nov 2026 – 28 Nov 2026".
export function describe(r) {
  if (!r.from) return 'All time';
  const f = (s) => day(s).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  return `${f(r.from)} – ${f(addDays(r.to, -1))}`;
}
