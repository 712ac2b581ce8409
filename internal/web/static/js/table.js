// The table (#table): every row of the view's query, sortable by any
// column, a page at a time, with a total per currency in its footer (never
// one sum across currencies).

import { format, parse, text } from './money.js';

export const pageSize = 25;

export class Table {
  // onSort(sort) and onPage(page) put the change in the URL.
  constructor(el, onSort, onPage) {
    this.el = el;
    this.onSort = onSort;
    this.onPage = onPage;
    this.res = null;
    document.getElementById('table-prev').addEventListener('click', () => this.onPage(this.page - 1));
    document.getElementById('table-next').addEventListener('click', () => this.onPage(this.page + 1));
  }

  // show renders res; sort is "Column" or "-Column" (descending).
  show(res, sort, page) {
    this.res = res;
    const cols = res.columns.map((c) => c.name);
    // People read the date and the groups first, then the currency and cost.
    const order = [...cols.keys()].filter((i) => i > cols.indexOf('Currency')).concat([cols.indexOf('Currency'), 0]);
    const numeric = (i) => res.columns[i].type === 'Number';
    let [key, desc] = sort ? [sort.replace(/^-/, ''), sort.startsWith('-')] : [cols[0], true];
    let k = cols.indexOf(key);
    if (k < 0) [k, desc] = [0, true];
    const rows = res.rows.map((r) => ({ r, cost: parse(r[0]) }));
    rows.sort((a, b) => {
      let c;
      if (k === 0) c = a.cost < b.cost ? -1 : a.cost > b.cost ? 1 : 0;
      else c = String(a.r[k]).localeCompare(String(b.r[k]), 'en', { numeric: true });
      return desc ? -c : c;
    });
    const pages = Math.max(1, Math.ceil(rows.length / pageSize));
    this.page = Math.min(Math.max(1, page), pages);
    const shown = rows.slice((this.page - 1) * pageSize, this.page * pageSize);

    const thead = document.createElement('thead');
    const hr = thead.insertRow();
    for (const i of order) {
      const th = document.createElement('th');
      th.scope = 'col';
      if (numeric(i)) th.className = 'num';
      else if (cols[i] === 'Currency') th.className = 'cur';
      if (i === k) th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'sort';
      b.dataset.testid = 'sort-' + cols[i];
      b.textContent = cols[i] + (i === k ? (desc ? ' ▼' : ' ▲') : '');
      b.addEventListener('click', () => this.onSort((i === k ? !desc : numeric(i)) ? '-' + cols[i] : cols[i]));
      th.append(b);
      hr.append(th);
    }
    const tbody = document.createElement('tbody');
    for (const { r, cost } of shown) {
      const tr = tbody.insertRow();
      tr.dataset.testid = 'table-row';
      for (const i of order) {
        const td = tr.insertCell();
        if (i === 0) {
          td.className = 'num';
          td.textContent = format(cost, r[cols.indexOf('Currency')]);
          td.dataset.value = r[0];
        } else {
          td.textContent = r[i] === '' ? '(empty)' : r[i];
          if (cols[i] === 'Currency') td.className = 'cur';
          else if (cols[i] === 'Date') td.className = 'date';
        }
      }
    }
    if (!rows.length) {
      const td = tbody.insertRow().insertCell();
      td.colSpan = order.length;
      td.className = 'empty';
      td.textContent = 'No costs in this range and scope.';
    }
    const tfoot = document.createElement('tfoot');
    for (const [currency, total] of totals(res)) {
      const tr = tfoot.insertRow();
      tr.dataset.testid = 'table-total';
      tr.dataset.currency = currency;
      tr.dataset.value = text(total);
      const th = document.createElement('th');
      th.scope = 'row';
      tr.append(th);
      if (order.length > 2) {
        th.colSpan = order.length - 2;
        th.textContent = 'Total';
        const cur = tr.insertCell();
        cur.className = 'cur';
        cur.textContent = currency;
      } else th.textContent = `Total in ${currency}`; // only Currency and Cost: the total takes the Currency column
      const td = tr.insertCell();
      td.className = 'num';
      td.textContent = format(total, currency);
    }
    this.el.replaceChildren(thead, tbody, tfoot);
    document.getElementById('table-page').textContent = rows.length ?
      `Rows ${(this.page - 1) * pageSize + 1}–${(this.page - 1) * pageSize + shown.length} of ${rows.length}, page ${this.page} of ${pages}` : '';
    document.getElementById('table-prev').disabled = this.page <= 1;
    document.getElementById('table-next').disabled = this.page >= pages;
  }
}

// clear empties the table with a message: a view that failed shows none
// of the rows of the view before it.
export function clear(el, message) {
  const td = document.createElement('tbody').insertRow().insertCell();
  td.className = 'empty';
  td.textContent = message;
  el.replaceChildren(td.parentElement.parentElement);
  document.getElementById('table-page').textContent = '';
  for (const id of ['table-prev', 'table-next']) document.getElementById(id).disabled = true;
}

// totals sums the first measure per currency, exactly.
export function totals(res) {
  const iCur = res.columns.findIndex((c) => c.name === 'Currency');
  const out = new Map();
  for (const r of res.rows) out.set(r[iCur], (out.get(r[iCur]) ?? 0n) + parse(r[0]));
  return [...out.entries()].sort((a, b) => (a[1] > b[1] ? -1 : 1));
}
