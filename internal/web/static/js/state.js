// The view's state lives in the URL's query string, so that a URL shared
// or bookmarked opens the same view. Defaults are left out of the URL.

import { presets } from './dates.js';

export const defaults = { scope: '', preset: 'this-month', from: '', to: '', granularity: 'daily', type: 'actual',
  groupBy: '', filter: '', view: '', sort: '', page: 1, currency: '' };

// read parses the state from a query string.
export function read(search = location.search) {
  const p = new URLSearchParams(search);
  const s = { ...defaults, chips: [] };
  for (const k of Object.keys(defaults)) {
    if (p.has(k)) s[k] = k === 'page' ? Math.max(1, parseInt(p.get(k), 10) || 1) : p.get(k);
  }
  if (!['daily', 'monthly', 'none'].includes(s.granularity)) s.granularity = defaults.granularity;
  if (!['actual', 'amortized'].includes(s.type)) s.type = defaults.type;
  if (!(s.preset in presets)) s.preset = defaults.preset;
  for (const raw of p.getAll('f')) {
    try {
      const [join, not, dim, values] = JSON.parse(raw);
      if (typeof dim === 'string' && Array.isArray(values) && values.length) {
        s.chips.push({ join: join === 'or' ? 'or' : 'and', not: !!not, dim, values: values.map(String) });
      }
    } catch { /* a chip we cannot read is left out */ }
  }
  return s;
}

// write is the query string of a state.
export function write(s) {
  const p = new URLSearchParams();
  for (const [k, d] of Object.entries(defaults)) {
    if (s[k] !== undefined && s[k] !== '' && s[k] !== d) p.set(k, String(s[k]));
  }
  if (s.preset !== 'custom') { p.delete('from'); p.delete('to'); }
  for (const c of s.chips) p.append('f', JSON.stringify([c.join, c.not ? 1 : 0, c.dim, c.values]));
  return '?' + p.toString();
}

// push records a new state in the browser's history (replace for changes
// that are not a user's step, such as the first scope chosen).
export function push(s, replace = false) {
  const url = location.pathname + write(s);
  if (url === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
}
