// Filter chips and the dialog that edits one: a dimension or tag, not,
// and/or with the chips before, and values picked from
// GET /api/v1/dimensions (largest cost first) or typed.

import { api, meta } from './api.js';
import { valuesRange } from './dates.js';
import { describe } from './filterlang.js';
import { format, parse } from './money.js';

const $ = (id) => document.getElementById(id);

export class Filters {
  // ctx: { state() → the current state, range() → {from, to}, change(chips, raw) }
  constructor(ctx) {
    this.ctx = ctx;
    this.editing = -1;
    this.picked = new Set();
    this.searchTimer = 0;
    $('add-filter').addEventListener('click', () => this.open(-1));
    $('filter-dim').addEventListener('change', () => { this.picked.clear(); this.loadValues(); });
    $('filter-search').addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => this.loadValues(), 250);
    });
    $('filter-search').addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      const v = e.target.value.trim();
      if (v) { this.picked.add(v); this.loadValues(); }
    });
    $('filter-dialog').addEventListener('close', () => this.closed());
  }

  // setTags lists the tag keys in the dimension select.
  setTags(keys) {
    const group = $('filter-dim-tags');
    group.replaceChildren(...keys.map((k) => new Option(k, k)));
  }

  render(state) {
    const items = state.chips.map((c, i) => {
      const li = document.createElement('li');
      li.className = 'chip';
      li.dataset.testid = 'filter-chip';
      const edit = document.createElement('button');
      edit.type = 'button';
      edit.className = 'chip-edit';
      edit.textContent = (i ? c.join + ' ' : '') + describe(c);
      edit.title = 'Edit this filter';
      edit.addEventListener('click', () => this.open(i));
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'chip-remove';
      remove.dataset.testid = 'filter-remove';
      remove.setAttribute('aria-label', 'Remove the filter ' + describe(c));
      remove.textContent = '×';
      remove.addEventListener('click', () => {
        const chips = state.chips.filter((_, j) => j !== i);
        if (chips.length) chips[0] = { ...chips[0], join: 'and' };
        this.ctx.change(chips, state.filter);
      });
      li.append(edit, remove);
      return li;
    });
    if (state.filter) {
      const li = document.createElement('li');
      li.className = 'chip';
      li.dataset.testid = 'filter-chip';
      const span = document.createElement('span');
      span.className = 'chip-edit';
      span.textContent = 'Saved filter: ' + state.filter;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'chip-remove';
      remove.setAttribute('aria-label', 'Remove the saved filter');
      remove.textContent = '×';
      remove.addEventListener('click', () => this.ctx.change(state.chips, ''));
      li.append(span, remove);
      items.unshift(li);
    }
    $('chips').replaceChildren(...items);
  }

  open(index) {
    const state = this.ctx.state();
    this.editing = index;
    const chip = index >= 0 ? state.chips[index] : { join: 'and', not: false, dim: state.groupBy || 'ServiceName', values: [] };
    $('filter-dialog-title').textContent = index >= 0 ? 'Edit filter' : 'Add a filter';
    $('filter-join-row').hidden = index === 0 || (index < 0 && state.chips.length === 0 && !state.filter);
    $('filter-join').value = chip.join;
    $('filter-not').checked = chip.not;
    if (![...$('filter-dim').options].some((o) => o.value === chip.dim)) $('filter-dim-tags').append(new Option(chip.dim, chip.dim));
    $('filter-dim').value = chip.dim;
    $('filter-search').value = '';
    this.picked = new Set(chip.values);
    $('filter-dialog').returnValue = '';
    $('filter-dialog').showModal();
    this.loadValues();
  }

  async loadValues() {
    const state = this.ctx.state();
    const r = valuesRange(this.ctx.range(), meta('reckon-today'));
    const dim = $('filter-dim').value;
    const params = new URLSearchParams({ scope: state.scope, from: r.from, to: r.to, type: state.type, dimension: dim, limit: '50' });
    const search = $('filter-search').value.trim();
    if (search) params.set('search', search);
    const status = $('filter-values-status');
    status.textContent = 'Loading values…';
    let listed = [];
    try {
      const ans = await api('GET', '/api/v1/dimensions?' + params);
      if ($('filter-dim').value !== dim) return; // changed meanwhile
      const list = ans.dimensions?.[0];
      listed = list?.values ?? [];
      status.textContent = listed.length ? (list.more ? `The ${listed.length} largest of ${list.count} values.` : '') :
        'No values in this range. Type a value and press Enter to filter on it anyway.';
    } catch (e) {
      status.textContent = e.message;
    }
    this.renderValues(listed);
  }

  renderValues(listed) {
    const seen = new Set();
    const rows = [];
    const row = (value, label) => {
      seen.add(value);
      const li = document.createElement('li');
      const lab = document.createElement('label');
      lab.className = 'check';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.value = value;
      box.checked = this.picked.has(value);
      box.dataset.testid = 'filter-value';
      box.addEventListener('change', () => (box.checked ? this.picked.add(value) : this.picked.delete(value)));
      const name = document.createElement('span');
      name.textContent = value === '' ? '(empty)' : value;
      lab.append(box, name);
      if (label) {
        const cost = document.createElement('span');
        cost.className = 'muted num';
        cost.textContent = label;
        lab.append(cost);
      }
      li.append(lab);
      rows.push(li);
    };
    for (const v of this.picked) row(v, '');
    for (const v of listed) if (!seen.has(v.value)) row(v.value, format(parse(v.cost), v.currency));
    $('filter-values').replaceChildren(...rows);
  }

  closed() {
    if ($('filter-dialog').returnValue !== 'apply' || this.picked.size === 0) return;
    const state = this.ctx.state();
    const chip = { join: $('filter-join').value, not: $('filter-not').checked, dim: $('filter-dim').value, values: [...this.picked] };
    const chips = [...state.chips];
    if (this.editing >= 0) chips[this.editing] = chip;
    else chips.push(chip);
    if (chips.length) chips[0] = { ...chips[0], join: state.filter ? chips[0].join : 'and' };
    this.ctx.change(chips, state.filter);
  }
}
