// Exact decimal money for the page: amounts are BigInt counts of 10^-18,
// parsed from the API's decimal text, summed exactly; only display rounds,
// half to even, to the currency's minor unit.

const PLACES = 18;
const ONE = 10n ** BigInt(PLACES);

// parse reads decimal text ("-12.345") into 10^-18 units.
export function parse(text) {
  let s = String(text).trim();
  if (/e/i.test(s)) s = Number(s).toFixed(PLACES); // never from the API; a fallback
  const neg = s.startsWith('-');
  if (neg || s.startsWith('+')) s = s.slice(1);
  const [int, frac = ''] = s.split('.');
  const units = BigInt(int || '0') * ONE + BigInt((frac + '0'.repeat(PLACES)).slice(0, PLACES) || '0');
  return neg ? -units : units;
}

export const zero = 0n;
export const add = (a, b) => a + b;
export const sum = (xs) => xs.reduce(add, 0n);

// text writes units back as exact decimal text, without trailing zeros.
export function text(units) {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  let frac = (abs % ONE).toString().padStart(PLACES, '0').replace(/0+$/, '');
  const s = (abs / ONE).toString() + (frac ? '.' + frac : '');
  return neg ? '-' + s : s;
}

// toNumber is for drawing only (a chart's bar, a percentage).
export const toNumber = (units) => Number(units) / 1e18;

const digitsCache = new Map();

// minorDigits is the currency's minor unit: 2 for USD, 0 for JPY, 3 for KWD.
export function minorDigits(currency) {
  if (!digitsCache.has(currency)) {
    let d = 2;
    try {
      d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
    } catch { /* not an ISO 4217 code */ }
    digitsCache.set(currency, d);
  }
  return digitsCache.get(currency);
}

// round rounds units to digits places, half to even, as decimal text.
export function round(units, digits) {
  const step = 10n ** BigInt(PLACES - digits);
  const neg = units < 0n;
  const abs = neg ? -units : units;
  let q = abs / step;
  const r = abs % step;
  if (r * 2n > step || (r * 2n === step && q % 2n === 1n)) q += 1n;
  let s = q.toString().padStart(digits + 1, '0');
  if (digits > 0) s = s.slice(0, -digits) + '.' + s.slice(-digits);
  return (neg && q !== 0n ? '-' : '') + s;
}

// format shows an amount in its currency, rounded to the minor unit, with
// thousands separators: "USD 1,234.57".
export function format(units, currency) {
  const digits = minorDigits(currency);
  const [int, frac] = round(units, digits).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${currency} ${grouped}${frac ? '.' + frac : ''}`;
}

// compact shows an amount briefly, for chart axes: "USD 1.2k".
export function compact(n, currency) {
  return `${currency} ${new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 }).format(n)}`;
}

// change is the relative change from before to now, in percent, or null.
export function change(now, before) {
  if (before === 0n) return null;
  return (toNumber(now - before) / Math.abs(toNumber(before))) * 100;
}
