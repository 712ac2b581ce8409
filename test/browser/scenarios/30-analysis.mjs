// The cost analysis scenarios (issue 11's acceptance): every number the
// page shows is checked against POST /api/v1/query with the body the page
// sends, as exact decimals (never floats). See README.md here.

import { viewports } from '../harness.mjs';

const scope = 'mg/production';
const start = `/analysis?scope=${scope}&preset=last-3-months&granularity=monthly&groupBy=ProviderName`;

// dec reads decimal text into 10^-18 units as a BigInt; str writes it back
// without trailing zeros, so "1074.0880000000" and "1074.088" compare equal.
const ONE = 10n ** 18n;
function dec(s) {
  let t = String(s).trim();
  const neg = t.startsWith('-');
  if (neg) t = t.slice(1);
  const [i, f = ''] = t.split('.');
  const v = BigInt(i || '0') * ONE + BigInt((f + '0'.repeat(18)).slice(0, 18));
  return neg ? -v : v;
}
function str(v) {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const f = (a % ONE).toString().padStart(18, '0').replace(/0+$/, '');
  return (neg ? '-' : '') + (a / ONE).toString() + (f ? '.' + f : '');
}
const norm = (m) => Object.fromEntries(Object.entries(m).map(([c, v]) => [c, str(dec(v))]).sort());
const same = (a, b) => JSON.stringify(norm(a)) === JSON.stringify(norm(b));
const show = (m) => Object.entries(norm(m)).map(([c, v]) => `${c} ${v}`).join(', ') || 'nothing';

// exact calls the API like h.api, but keeps every JSON number as its text:
// Node's JSON.parse would round the API's 18 places through a float.
async function exact(h, body, token = h.cfg.adminToken) {
  const resp = await fetch(h.url('/api/v1/query'), {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const text = await resp.text();
  if (!resp.ok) throw new Error(`POST /api/v1/query ${JSON.stringify(body)}: ${resp.status} ${text.slice(0, 200)}`);
  return JSON.parse(text.replace(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g, (t) => (t.startsWith('"') ? t : `"${t}"`)));
}

// perCurrency sums an answer's Cost per Currency.
function perCurrency(res) {
  const iCur = res.columns.findIndex((c) => c.name === 'Currency');
  const out = {};
  for (const r of res.rows) out[r[iCur]] = str(dec(out[r[iCur]] ?? '0') + dec(r[0]));
  return out;
}

// apiTotals is the API's total per currency for the page's view.
const apiTotals = async (h, body, token) => perCurrency(await exact(h, body, token));

// csv parses RFC 4180 text into rows of fields.
function csv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

// csvTotals sums the column cost per the column currency of CSV text.
function csvTotals(text, cost, currency) {
  const [head, ...rows] = csv(text);
  const ic = head.indexOf(cost), iu = head.indexOf(currency);
  if (ic < 0 || iu < 0) throw new Error(`the CSV has no ${cost} or ${currency} column: ${head.join(',')}`);
  const out = {};
  for (const r of rows) if (r.length > 1) out[r[iu]] = str(dec(out[r[iu]] ?? '0') + dec(r[ic] || '0'));
  return out;
}

// settled waits until the page has loaded its view: not busy, and totals,
// an empty state or an error shown.
async function settled(page) {
  await page.waitForFunction(() => document.body.getAttribute('aria-busy') !== 'true' &&
    (document.querySelector('#total .kpi, #total .empty') || !document.getElementById('error').hidden))
    .catch(() => { throw new Error(`${page.url()} never finished loading its view`); });
  const err = page.locator('[data-testid="error"]');
  if (await err.isVisible()) throw new Error(`the page shows an error: "${(await err.textContent()).trim()}"`);
}

// range is the page's [from, to) as the API takes it (#to is inclusive).
async function range(page) {
  const [from, to] = await page.evaluate(() => [document.getElementById('from').value, document.getElementById('to').value]);
  const d = new Date(to + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + 1);
  return { from, to: d.toISOString().slice(0, 10) };
}

// shown reads what the page shows: the chart's and the donut's totals per
// currency, the KPI cards and the table's footer.
async function shown(page) {
  return page.evaluate(() => {
    const totals = (id) => JSON.parse(document.getElementById(id).dataset.totals || '{}');
    const pairs = (sel) => Object.fromEntries([...document.querySelectorAll(sel)].map((e) => [e.dataset.currency, e.dataset.value]));
    return { chart: totals('chart'), donut: totals('donut'), kpi: pairs('#total .kpi[data-currency]'),
      cards: document.querySelectorAll('#total .kpi').length, table: pairs('tfoot tr[data-testid="table-total"]') };
  });
}

// agree checks every total the page shows against the API's want.
function agree(h, what, got, want) {
  for (const k of ['chart', 'donut', 'kpi', 'table']) {
    // The donut leaves out negative groups (credits), so it may only differ there.
    if (k === 'donut') continue;
    h.check(same(got[k], want), `${what}: the ${k} shows ${show(got[k])}, the API ${show(want)}`);
  }
  h.check(got.cards === Object.keys(want).length, `${what}: ${got.cards} KPI cards for ${Object.keys(want).length} currencies (${Object.keys(want).join(', ')})`);
}

// providers: at mg/production over the demo's three months, grouped by
// ProviderName, AWS and Azure (Microsoft) both show in the chart and the
// table; USD and EUR have a KPI card each, never one sum; every total is
// the API's.
async function providers(h) {
  const { page } = await h.signIn();
  await page.goto(h.url(start));
  await settled(page);
  const r = await range(page);
  const want = await apiTotals(h, { scope, ...r, type: 'actual' });
  h.must(want.USD && want.EUR, `the API has ${show(want)} at ${scope} over ${r.from}–${r.to}, want USD and EUR`);
  const grouped = await exact(h, { scope, ...r, type: 'actual', granularity: 'monthly', groupBy: ['ProviderName'], top: 10 });
  const providers = new Set(grouped.rows.map((row) => row[3]));
  h.check(providers.has('AWS') && providers.has('Microsoft'), `the API's providers are ${[...providers].join(', ')}`);
  const got = await shown(page);
  agree(h, 'grouped by ProviderName', got, want);
  h.check(same(got.chart, perCurrency(grouped)), `the chart shows ${show(got.chart)}, the API's series ${show(perCurrency(grouped))}`);
  const legend = await page.locator('#chart').textContent();
  const cells = await page.locator('[data-testid="table-row"]').allTextContents();
  for (const p of ['AWS', 'Microsoft']) {
    h.check(legend.includes(p), `the chart does not show ${p}`);
    h.check(cells.some((c) => c.includes(p)), `the table has no row of ${p}`);
  }
  const cards = await page.locator('#total .kpi').evaluateAll((es) => es.map((e) => [e.dataset.currency, e.textContent]));
  h.check(cards.length === 2 && cards.every(([c, t]) => !c.includes(',') && t.includes(c) && !t.includes(c === 'EUR' ? 'USD' : 'EUR')),
    `the KPI cards are ${JSON.stringify(cards)}, want one for USD and one for EUR`);
  h.log(`${scope} ${r.from}–${r.to}: ${show(want)}`);
  await h.screenshot(page, 'desktop', '/analysis-providers');
  // The page with its charts and table full, on a phone and in dark mode.
  for (const view of ['phone', 'desktop-dark']) {
    const { page: p } = await h.signIn(undefined, viewports[view]);
    await p.goto(h.url(start));
    await settled(p);
    h.check(same((await shown(p)).chart, want), `${view}: the chart shows ${show((await shown(p)).chart)}`);
    await h.screenshot(p, view, '/analysis-providers');
    if (view === 'phone') {
      const [scroll, client] = await p.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      h.check(scroll <= client, `the analysis page on a phone is ${scroll}px wide on a ${client}px screen`);
      const off = await p.locator('#table td[data-value], #table tfoot td.num').evaluateAll((es) =>
        es.filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth).map((e) => e.textContent));
      h.check(off.length === 0, `on a phone the table's costs are off the screen: ${off.slice(0, 3).join(', ')}`);
    } else for (const v of await h.axe(p)) h.check(false, `${start} (${view}): ${v}`);
  }
}

// amortizedFilterShare: amortized, then a filter added through the dialog
// (ChargeCategory is Usage); the totals become the API's for that query;
// the page's URL opened in a new tab shows the same view.
async function amortizedFilterShare(h) {
  const { ctx, page } = await h.signIn();
  await page.goto(h.url(start));
  await settled(page);
  const r = await range(page);
  await (await h.testid(page, 'cost-type-amortized')).check();
  await settled(page);
  const amortized = await apiTotals(h, { scope, ...r, type: 'amortized' });
  agree(h, 'amortized', await shown(page), amortized);

  await (await h.testid(page, 'add-filter')).click();
  await (await h.testid(page, 'filter-dialog')).waitFor();
  await page.selectOption('[data-testid="filter-dim"]', 'ChargeCategory');
  const usage = page.locator('[data-testid="filter-value"][value="Usage"]');
  await usage.waitFor().catch(() => { throw new Error('the filter dialog lists no ChargeCategory value Usage'); });
  await usage.check();
  await (await h.testid(page, 'filter-apply')).click();
  await page.locator('[data-testid="filter-chip"]').waitFor().catch(() => { throw new Error('applying the filter made no chip'); });
  await settled(page);
  const filter = (await (await h.testid(page, 'filter-text')).textContent()).trim();
  h.check(filter === 'ChargeCategory in ("Usage")', `the filter reads "${filter}"`);
  const want = await apiTotals(h, { scope, ...r, type: 'amortized', filter });
  h.check(!same(want, amortized), `the filter changes no total (${show(want)})`);
  const got = await shown(page);
  agree(h, 'amortized, ChargeCategory is Usage', got, want);
  await h.screenshot(page, 'desktop', '/analysis-amortized-usage');
  // The rows under the filtered view: FOCUS rows hold the actual cost
  // (BilledCost) and the amortized one (EffectiveCost).
  const rows = await h.download(page, await h.testid(page, 'csv-rows'));
  const billed = csvTotals(rows, 'BilledCost', 'BillingCurrency');
  const actual = await apiTotals(h, { scope, ...r, type: 'actual', filter });
  h.check(same(billed, actual), `the filtered rows sum BilledCost to ${show(billed)}, the API's actual total is ${show(actual)}`);
  const effective = csvTotals(rows, 'EffectiveCost', 'BillingCurrency');
  h.check(same(effective, want), `the filtered rows sum EffectiveCost to ${show(effective)}, the page's amortized total is ${show(want)}`);

  const url = page.url();
  const u = new URL(url);
  h.check(u.searchParams.get('type') === 'amortized' && u.searchParams.getAll('f').length === 1, `the URL does not hold the view: ${url}`);
  const tab = await ctx.newPage();
  await tab.goto(url);
  await settled(tab);
  const controls = (p) => p.evaluate(() => ({
    preset: document.getElementById('preset').value, granularity: document.getElementById('granularity').value,
    type: document.querySelector('input[name="type"]:checked')?.value, groupBy: document.getElementById('group-by').value,
    filter: document.getElementById('filter-text').textContent, chips: [...document.querySelectorAll('[data-testid="filter-chip"]')].map((c) => c.textContent),
    scope: document.getElementById('scope-title').textContent,
  }));
  const [a, b] = [await controls(page), await controls(tab)];
  h.check(JSON.stringify(a) === JSON.stringify(b), `the shared URL opens ${JSON.stringify(b)}, the page had ${JSON.stringify(a)}`);
  const again = await shown(tab);
  for (const k of ['chart', 'donut', 'kpi', 'table']) h.check(same(again[k], got[k]), `the shared URL's ${k} shows ${show(again[k])}, the page ${show(got[k])}`);
}

// downloads: the table's CSV totals per currency are the API's for the
// table's query; the rows' FOCUS CSV sums BilledCost per BillingCurrency to
// the API's actual total over the range.
async function downloads(h) {
  const { page } = await h.signIn();
  await page.goto(h.url(start));
  await settled(page);
  const r = await range(page);
  const table = await h.download(page, await h.testid(page, 'csv-table'));
  const tableWant = await apiTotals(h, { scope, ...r, type: 'actual', granularity: 'monthly', groupBy: ['ProviderName'], pageSize: 10000 });
  const tableGot = csvTotals(table, 'Cost', 'Currency');
  h.check(same(tableGot, tableWant), `the table's CSV sums to ${show(tableGot)}, the API ${show(tableWant)}`);
  h.check(csv(table)[0].includes('ProviderName'), `the table's CSV has no ProviderName column: ${csv(table)[0]}`);
  const rows = await h.download(page, await h.testid(page, 'csv-rows'));
  const rowsGot = csvTotals(rows, 'BilledCost', 'BillingCurrency');
  const actual = await apiTotals(h, { scope, ...r, type: 'actual' });
  h.check(same(rowsGot, actual), `the rows' FOCUS CSV sums BilledCost to ${show(rowsGot)}, the API's actual total is ${show(actual)}`);
  h.log(`the table's CSV: ${show(tableGot)}; the rows (${csv(rows).length - 1}): ${show(rowsGot)}`);
}

// readerScope: a Reader of one linked account sees only it in the picker,
// and every chart and KPI is the API's total for it; a URL of mg/root
// shows a refusal in words and no data.
async function readerScope(h) {
  const { readerToken: token, readerScope: account } = h.cfg;
  if (!token || !account) h.skip('no RECKON_READER_TOKEN and RECKON_READER_SCOPE');
  const { ctx, page } = await h.signIn(token);
  await page.goto(h.url('/analysis?preset=last-3-months&granularity=monthly&groupBy=ServiceName'));
  await settled(page);
  await (await h.testid(page, 'scope-button')).click();
  const options = await page.locator('[data-testid="scope-option"]').evaluateAll((es) => es.map((e) => e.dataset.scope));
  h.check(options.length === 1 && options[0] === account, `the Reader of ${account} is offered ${options.join(', ') || 'nothing'}`);
  await h.screenshot(page, 'desktop', '/analysis-reader-picker');
  await page.keyboard.press('Escape');
  h.check(new URL(page.url()).searchParams.get('scope') === account, `the Reader's page is on ${page.url()}`);
  const r = await range(page);
  const want = await apiTotals(h, { scope: account, ...r, type: 'actual' }, token);
  h.must(Object.keys(want).length, `the API has no cost of ${account} over ${r.from}–${r.to}`);
  const got = await shown(page);
  agree(h, `the Reader of ${account}`, got, want);
  h.check(same(await apiTotals(h, { scope: account, ...r, type: 'actual' }), want), 'the admin and the Reader get different totals');
  h.check(same(got.donut, want) || Object.keys(got.donut).join() === Object.keys(want).join(), `the donut shows ${show(got.donut)}, the API ${show(want)}`);
  h.log(`the Reader of ${account}: ${show(want)}`);

  const root = await ctx.newPage();
  await root.goto(h.url('/analysis?scope=mg/root&preset=last-3-months'));
  const error = root.locator('[data-testid="error"]');
  await error.waitFor().catch(() => { throw new Error('the Reader opening mg/root sees no error'); });
  const said = (await error.textContent()).trim();
  h.check(/mg\/root/.test(said) && /may not|cannot|not allowed/i.test(said), `the Reader opening mg/root is told "${said}"`);
  const leaked = await root.evaluate(() => ({ kpis: document.querySelectorAll('#total .kpi').length,
    rows: document.querySelectorAll('[data-testid="table-row"]').length, chart: document.getElementById('chart').dataset.totals || '' }));
  h.check(leaked.kpis === 0 && leaked.rows === 0 && !leaked.chart, `the Reader opening mg/root is shown data: ${JSON.stringify(leaked)}`);
  h.check(new URL(root.url()).searchParams.get('scope') === 'mg/root', `the page moved the Reader from mg/root to ${root.url()}`);
  await h.screenshot(root, 'desktop', '/analysis-reader-root');
}

// failedView: going back to a view the API refuses (a filter cut short)
// shows the API's reason in words, and none of the view before it: no KPI,
// no chart totals, no table rows.
async function failedView(h) {
  const { page } = await h.signIn();
  await page.goto(h.url(start));
  await settled(page);
  h.must(await page.locator('[data-testid="table-row"]').count() > 0, 'the good view has no table rows to begin with');
  await page.evaluate(() => {
    const u = new URL(location.href);
    u.searchParams.set('filter', 'ServiceName in (');
    history.pushState(null, '', u);
    dispatchEvent(new PopStateEvent('popstate'));
  });
  const error = page.locator('[data-testid="error"]');
  await error.waitFor().catch(() => { throw new Error('a view the API refuses shows no error'); });
  await page.waitForFunction(() => document.body.getAttribute('aria-busy') !== 'true');
  const said = (await error.textContent()).trim();
  h.check(/filter/.test(said) && /expected a value/.test(said), `the refused view says "${said}"`);
  const left = await page.evaluate(() => ({ kpis: document.querySelectorAll('#total .kpi').length,
    rows: document.querySelectorAll('[data-testid="table-row"]').length, totals: document.querySelectorAll('tfoot tr').length,
    chart: document.getElementById('chart').dataset.totals || '', donut: document.getElementById('donut').dataset.totals || '' }));
  h.check(!left.kpis && !left.rows && !left.totals && !left.chart && !left.donut, `a refused view still shows the view before it: ${JSON.stringify(left)}`);
  await h.screenshot(page, 'desktop', '/analysis-refused-filter');
}

// tableShape: without a group or a date (granularity none) the table's
// footer has as many cells as its header, and its totals are the API's.
async function tableShape(h) {
  const { page } = await h.signIn();
  await page.goto(h.url(`/analysis?scope=${scope}&preset=last-3-months&granularity=none`));
  await settled(page);
  const r = await range(page);
  const want = await apiTotals(h, { scope, ...r, type: 'actual' });
  agree(h, 'granularity none', await shown(page), want);
  const widths = await page.evaluate(() => [...document.querySelectorAll('#table tr')].map((tr) =>
    [...tr.cells].reduce((n, c) => n + c.colSpan, 0)));
  h.check(new Set(widths).size === 1, `the table's rows span ${widths.join(', ')} columns`);
  await h.screenshot(page, 'desktop', '/analysis-no-group');
}

// The scenarios by name, in the order they run.
export const scenarios = {
  'analysis-providers': providers,
  'analysis-amortized-filter-share': amortizedFilterShare,
  'analysis-downloads': downloads,
  'analysis-reader': readerScope,
  'analysis-failed-view': failedView,
  'analysis-table-shape': tableShape,
};
