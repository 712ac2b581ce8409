// Saved views (GET/POST/PATCH /api/v1/views): listed for the scope,
// opened into the URL's state, saved over, saved as new, renamed.

import { api, meta } from './api.js';
import { inclusiveEnd, presetOf, timeframe } from './dates.js';
import { build, parseChips } from './filterlang.js';

const $ = (id) => document.getElementById(id);

// specOf is the query a view saves: a preset with a timeframe keeps it,
// so that the view moves with the clock; others keep their days.
export function specOf(state, r) {
  const tf = timeframe(state.preset);
  const spec = tf ? { timeframe: tf } : r.from ? { from: r.from, to: r.to } : {};
  spec.granularity = state.granularity;
  spec.type = state.type;
  if (state.groupBy) spec.groupBy = [state.groupBy];
  const filter = build(state.chips, state.filter);
  if (filter) spec.filter = filter;
  return spec;
}

// chartOf is the saved chart that matches the page's.
const chartOf = (state) => (state.granularity !== 'none' ? 'stackedColumn' : state.groupBy ? 'pie' : 'table');

// stateOf opens a saved view: its query as the page's state.
export function stateOf(view, base) {
  const q = view.query || {};
  const s = { ...base, view: view.id, page: 1, sort: '', currency: '', chips: [], filter: '' };
  if (q.timeframe && q.timeframe.toLowerCase() !== 'custom') Object.assign(s, { from: '', to: '' }, presetOf(q.timeframe, meta('reckon-today')));
  else if (q.from && q.to) Object.assign(s, { preset: 'custom', from: q.from, to: inclusiveEnd(q.to) });
  else Object.assign(s, { preset: 'all', from: '', to: '' }); // unbounded, as the API reads it
  s.granularity = ['daily', 'monthly'].includes(String(q.granularity).toLowerCase()) ? String(q.granularity).toLowerCase() : 'none';
  s.type = String(q.type).toLowerCase() === 'amortized' ? 'amortized' : 'actual';
  s.groupBy = q.groupBy?.[0] || '';
  for (const f of q.filters || []) {
    const [dim, ...rest] = f.split('=');
    s.chips.push({ join: 'and', not: false, dim: dim.trim(), values: [rest.join('=')] });
  }
  if (q.filter) {
    const chips = parseChips(q.filter);
    if (chips && !s.chips.length) s.chips = chips;
    else s.filter = q.filter;
  }
  return s;
}

export class Views {
  // ctx: { state(), range(), role() (the user's on the scope), open(state), error(message), saved(view) }
  constructor(ctx) {
    this.ctx = ctx;
    this.list = [];
    this.scope = '';
    $('view-select').addEventListener('change', (e) => {
      const v = this.list.find((x) => x.id === e.target.value);
      if (v) this.ctx.open(stateOf(v, this.ctx.state()));
    });
    $('view-save').addEventListener('click', () => this.save());
    $('view-save-as').addEventListener('click', () => this.ask('Save as a new view', '', (name) => this.create(name)));
    $('view-rename').addEventListener('click', () => {
      const v = this.current();
      if (v) this.ask('Rename the view', v.name, (name) => this.patch(v.id, { name }));
    });
  }

  current() { return this.list.find((x) => x.id === this.ctx.state().view); }

  async load(scope) {
    this.scope = scope;
    try {
      const ans = await api('GET', '/api/v1/views?scope=' + encodeURIComponent(scope));
      if (this.scope !== scope) return;
      this.list = ans.value;
    } catch (e) {
      this.list = [];
      if (e.status !== 403) this.ctx.error('The saved views could not be listed: ' + e.message);
    }
    this.render();
  }

  render() {
    const sel = $('view-select');
    const id = this.ctx.state().view;
    sel.replaceChildren(new Option(this.list.length ? 'None' : 'No saved views', ''), ...this.list.map((v) => new Option(v.name, v.id)));
    sel.value = this.list.some((v) => v.id === id) ? id : '';
    // A Reader may open the scope's views but not save them.
    const canWrite = this.ctx.role() !== 'Reader';
    $('view-save').disabled = !this.current() || !canWrite;
    $('view-rename').disabled = !this.current() || !canWrite;
    $('view-save-as').disabled = !canWrite;
    for (const id of ['view-save', 'view-rename', 'view-save-as']) $(id).title = canWrite ? '' : 'Saving views needs Contributor on this scope';
  }

  ask(title, value, then) {
    const d = $('name-dialog');
    $('name-dialog-title').textContent = title;
    $('view-name').value = value;
    d.returnValue = '';
    d.onclose = () => {
      const name = $('view-name').value.trim();
      if (d.returnValue === 'ok' && name) then(name);
    };
    d.showModal();
  }

  async create(name) {
    const s = this.ctx.state();
    try {
      const v = await api('POST', '/api/v1/views', { scope: s.scope, name, chart: chartOf(s), query: specOf(s, this.ctx.range()) });
      this.list.push(v);
      this.ctx.saved(v);
      this.render();
    } catch (e) {
      this.ctx.error('The view was not saved: ' + e.message);
    }
  }

  save() {
    const v = this.current();
    const s = this.ctx.state();
    if (v) this.patch(v.id, { chart: chartOf(s), query: specOf(s, this.ctx.range()) });
  }

  async patch(id, body) {
    try {
      const v = await api('PATCH', '/api/v1/views/' + encodeURIComponent(id), body);
      this.list = this.list.map((x) => (x.id === id ? v : x));
      this.ctx.saved(v);
      this.render();
    } catch (e) {
      this.ctx.error('The view was not changed: ' + e.message);
    }
  }
}
