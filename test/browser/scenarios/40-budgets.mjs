// The budgets page (/budgets?scope=): bars of spent against the amount and
// the forecast marked, each percent the API's exact spent/amount; the
// alerts the evaluator fires, dismissed from the page; the form's create,
// edit and delete with the API's refusals in words; a Reader sees budgets
// and alerts without the controls that change them. Each scenario makes
// its own budgets through the API, with names of its own, and deletes them
// at its end; it relies on no budget or alert of the demo's. See README.md.

import { viewports } from '../harness.mjs';

const scope = 'mg/production';
const page = `/budgets?scope=${scope}`;
const stamp = () => Date.now().toString(36);

// dec reads decimal text into 10^-18 units as a BigInt; str writes it back
// without trailing zeros ("659.0" and "659" compare equal).
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
// cents writes units rounded down to two places, as an amount to send.
const cents = (v) => str((v / (ONE / 100n)) * (ONE / 100n));

// pct is part/whole in percent with one place, rounded half away from zero
// as the alerts' messages round: what the page must show.
function pct(part, whole) {
  const n = dec(part) * 1000n;
  const w = dec(whole);
  let q = n / w;
  if ((n % w) * 2n >= w) q += 1n;
  return `${q / 10n}.${q % 10n}`;
}

// exact calls the API like h.api, but keeps every JSON number as its text:
// Node's JSON.parse would round the API's 18 places through a float.
async function exact(h, method, path, body, token = h.cfg.adminToken) {
  const resp = await fetch(h.url(path), {
    method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await resp.text();
  if (!resp.ok) throw new Error(`${method} ${path}: ${resp.status} ${text.slice(0, 300)}`);
  return JSON.parse(text.replace(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g, (t) => (t.startsWith('"') ? t : `"${t}"`)));
}

// ensureRate sets an EUR to USD rate when there is none (mg/production
// costs in both, and a USD budget converts the EUR); it returns the
// clean-up, which deletes only a rate it set.
async function ensureRate(h) {
  const rates = (await h.api('GET', '/api/v1/exchangeRates')).value;
  if (rates.some((r) => r.from === 'EUR' && r.to === 'USD')) return async () => {};
  await h.api('PUT', '/api/v1/exchangeRates', { from: 'EUR', to: 'USD', rate: '1.08' });
  return async () => { await h.api('DELETE', '/api/v1/exchangeRates?from=EUR&to=USD').catch(() => {}); };
}

const notify = (thresholdType, threshold, operator = 'GreaterThan') =>
  ({ thresholdType, operator, threshold, contactEmails: ['budget-owner@example.com'] });

// createBudget makes a monthly USD budget on mg/production from two months
// back (the demo's first), so that it has a history.
async function createBudget(h, name, amount, notifications) {
  const d = new Date();
  const start = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 2, 1)).toISOString().slice(0, 10);
  return exact(h, 'POST', '/api/v1/budgets', { scope, name, amount, currency: 'USD', timeGrain: 'Monthly', startDate: start, notifications });
}

// alertsOf waits until the budget has n active alerts (the evaluator runs
// on each change of a budget) and returns them.
async function alertsOf(h, id, n) {
  const until = Date.now() + 15000;
  for (;;) {
    const list = (await exact(h, 'GET', `/api/v1/alerts?budget=${id}&state=active`)).value;
    if (list.length >= n) return list;
    if (Date.now() > until) throw new Error(`budget ${id} has ${list.length} active alerts after 15 s, want ${n}: the evaluator did not fire them`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// retire deletes a budget the scenario made, after dismissing its active
// alerts: a deleted budget's alerts stay as history, and the next
// scenarios should find no active alert of this one's.
async function retire(h, id) {
  const active = (await h.api('GET', `/api/v1/alerts?budget=${id}&state=active`).catch(() => ({ value: [] }))).value;
  for (const a of active) await h.api('POST', `/api/v1/alerts/${a.id}/dismiss`).catch(() => {});
  await h.api('DELETE', `/api/v1/budgets/${id}`).catch(() => {});
}

// shown reads a budget's card: its bar's numbers and texts.
async function shown(p, id) {
  const card = p.locator(`[data-testid="budget"][data-id="${id}"]`);
  await card.waitFor().catch(() => { throw new Error(`budget ${id} is not listed on ${p.url()}`); });
  return card.evaluate((c) => {
    const bar = c.querySelector('[data-testid="budget-bar"]');
    const tick = c.querySelector('[data-testid="budget-forecast"]');
    return {
      percent: bar?.dataset.percent, spent: bar?.dataset.spent, amount: bar?.dataset.amount, band: bar?.dataset.band,
      role: bar?.getAttribute('role'), now: bar?.getAttribute('aria-valuenow'), valueText: bar?.getAttribute('aria-valuetext') || '',
      text: c.querySelector('[data-testid="budget-percent"]')?.textContent, forecast: tick?.dataset.percent,
      forecastLabel: c.querySelector('[data-testid="budget-forecast-label"]')?.textContent || '',
      overflow: !!c.querySelector('[data-testid="budget-overflow"]'), rates: c.querySelector('[data-testid="budget-rates"]')?.textContent || '',
      error: c.querySelector('[data-testid="budget-error"]')?.textContent || '',
    };
  });
}

// checkBar holds a budget's card to the API's status, exactly.
function checkBar(h, what, got, st) {
  const spent = pct(st.spent, st.amount), forecast = pct(st.forecast, st.amount);
  h.check(got.error === '', `${what}: the card shows an error: ${got.error}`);
  h.check(got.role === 'progressbar', `${what}: the bar has role ${got.role}, want progressbar`);
  h.check(got.percent === spent && got.text === `${spent}%` && got.now === spent,
    `${what}: the bar says ${got.text} (data ${got.percent}, aria ${got.now}); the API's spent/amount is ${str(dec(st.spent))}/${str(dec(st.amount))} = ${spent}%`);
  h.check(str(dec(got.spent)) === str(dec(st.spent)) && str(dec(got.amount)) === str(dec(st.amount)),
    `${what}: the bar holds ${got.spent} of ${got.amount}, the API ${st.spent} of ${st.amount}`);
  h.check(got.valueText.startsWith(`${spent}% of the amount spent`), `${what}: the bar's aria-valuetext is "${got.valueText}"`);
  h.check(got.forecast === forecast && got.forecastLabel.includes(`forecast ${forecast}%`),
    `${what}: the forecast marker says ${got.forecast} ("${got.forecastLabel}"), the API's forecast/amount is ${forecast}%`);
  const band = dec(st.spent) > dec(st.amount) ? 'over' : dec(st.spent) * 100n >= dec(st.amount) * 80n ? 'warn' : 'ok';
  h.check(got.band === band, `${what}: the bar's colour band is ${got.band}, want ${band} at ${spent}%`);
  h.check(got.overflow === (band === 'over'), `${what}: the overflow past the amount is ${got.overflow ? '' : 'not '}drawn at ${spent}%`);
}

// settled waits for the page's budgets and alerts to load.
async function settled(p) {
  await p.waitForFunction(() => !/Loading/.test(document.getElementById('status').textContent) &&
    !/Loading/.test(document.getElementById('alerts-status').textContent))
    .catch(() => { throw new Error(`${p.url()} never finished loading its budgets and alerts`); });
  const err = p.locator('[data-testid="error"]');
  if (await err.isVisible()) throw new Error(`the page shows an error: "${(await err.textContent()).trim()}"`);
}

// alertsLoaded waits for the alerts a filter's change asked for: the
// change says Loading at once, and its answer replaces it.
const alertsLoaded = (p) => p.waitForFunction(() => !/Loading/.test(document.getElementById('alerts-status').textContent));

// bars-and-alerts: a budget whose actual passes its 50% and 100%
// thresholds and one whose forecast passes 100% but not its actual; the
// page's bars are the API's exact percents with the forecast marked, the
// alerts the evaluator fired are listed, and one dismissed from the page
// turns dismissed. Screenshots at each viewport; axe-core in light and dark.
async function barsAndAlerts(h) {
  const cleanRate = await ensureRate(h);
  const made = [];
  try {
    const big = await createBudget(h, `browser-forecast-${stamp()}`, '1000000000', [notify('Forecasted', '100'), notify('Actual', '100')]);
    made.push(big.id);
    const { spent, forecast } = big.status;
    if (dec(spent) < ONE) h.skip(`${scope} has spent ${spent} USD this month so far (the demo's month to date may be empty on its first day)`);
    const over = await createBudget(h, `browser-over-${stamp()}`, cents(dec(spent) * 8n / 10n), [notify('Actual', '50'), notify('Actual', '100')]);
    made.push(over.id);
    const fired = await alertsOf(h, over.id, 2);
    let forecastAlert = null;
    if (dec(forecast) - dec(spent) > ONE / 10n) {
      // Between the spent and the forecast: the forecast crosses 100%, the actual not.
      await exact(h, 'PATCH', `/api/v1/budgets/${big.id}`, { amount: cents((dec(spent) + dec(forecast)) / 2n) });
      [forecastAlert] = await alertsOf(h, big.id, 1);
      h.check(forecastAlert.budget.thresholdType === 'Forecasted', `the larger budget fired a ${forecastAlert.budget.thresholdType} alert, want Forecasted only`);
    } else h.log(`the forecast ${forecast} is the spent ${spent}: no forecast-only alert today`);

    const { page: p } = await h.signIn();
    await p.goto(h.url(page));
    await settled(p);
    const listed = (await exact(h, 'GET', `/api/v1/budgets?scope=${scope}`)).value;
    for (const id of made) {
      const b = listed.find((x) => x.id === id);
      checkBar(h, b.name, await shown(p, id), b.status);
      h.log(`${b.name}: ${pct(b.status.spent, b.status.amount)}% spent, forecast ${pct(b.status.forecast, b.status.amount)}%`);
    }
    const overCard = await shown(p, over.id);
    h.check(/EUR/.test(overCard.rates), `a budget of ${scope}, which costs in EUR too, names no conversion: "${overCard.rates}"`);

    const ids = [...fired, ...(forecastAlert ? [forecastAlert] : [])].map((a) => a.id);
    for (const id of ids) {
      const state = await p.locator(`#alerts [data-testid="alert"][data-id="${id}"]`).getAttribute('data-state', { timeout: 5000 })
        .catch(() => { throw new Error(`the fired alert ${id} is not in the page's alerts`); });
      h.check(state === 'active', `alert ${id} is listed ${state}, want active`);
    }
    const order = await p.locator('#alerts [data-testid="alert"]').evaluateAll((es) => es.map((e) => e.dataset.state));
    const rank = { active: 0, dismissed: 1, resolved: 2 };
    h.check(order.every((s, i) => i === 0 || rank[order[i - 1]] <= rank[s]), `the alerts are not active first: ${order.join(', ')}`);
    h.check(await p.locator('#alerts [data-testid="alert"]').count() >= ids.length, 'the alerts list is short');

    // The over budget's detail: its notifications, its history, its alerts.
    const card = p.locator(`[data-testid="budget"][data-id="${over.id}"]`);
    await card.locator('[data-testid="budget-detail"] > summary').click();
    await card.locator('[data-testid="budget-history"]').waitFor().catch(() => { throw new Error('opening a budget shows no history'); });
    h.check(await card.locator('[data-testid="budget-notification"]').count() === 2, 'the opened budget does not list its 2 notifications');
    h.check(await card.locator('[data-testid="budget-alerts"] [data-testid="alert"]').count() === 2, 'the opened budget does not list its 2 alerts');
    const chart = card.locator('[data-testid="budget-chart"][role="img"]');
    await chart.locator('svg').waitFor().catch(() => { throw new Error('opening a budget draws no history chart'); });
    const said = await chart.getAttribute('aria-label');
    h.check(said.includes(`${pct(spent, over.amount)}%, so far`), `the history chart's label says "${said}", want this period's ${pct(spent, over.amount)}% so far`);
    const rows = await card.locator('[data-testid="history-row"]').evaluateAll((es) => es.map((e) => e.dataset.spent));
    h.check(rows.length === 3, `the history of a budget from two months back has ${rows.length} periods, want 3`);
    h.check(rows.length >= 1 && str(dec(rows[0])) === str(dec(listed.find((x) => x.id === over.id).status.spent)),
      `the history's current period spent ${rows[0]}, the status ${listed.find((x) => x.id === over.id).status.spent}`);
    await h.screenshot(p, 'desktop', '/budgets-production');
    for (const v of await h.axe(p)) h.check(false, `${page} (desktop, a budget open): ${v}`);

    // Dismiss the 50% alert from the page.
    const target = fired.find((a) => a.budget.threshold.startsWith('50')) || fired[0];
    const item = p.locator(`#alerts [data-testid="alert"][data-id="${target.id}"]`);
    await item.locator('[data-testid="alert-dismiss"]').click();
    await p.locator(`#alerts [data-testid="alert"][data-id="${target.id}"][data-state="dismissed"]`).waitFor()
      .catch(() => { throw new Error(`alert ${target.id} is not shown dismissed after Dismiss`); });
    const after = await exact(h, 'GET', `/api/v1/alerts/${target.id}`);
    h.check(after.state === 'dismissed' && after.dismissedBy, `the API has alert ${target.id} ${after.state} by ${after.dismissedBy}`);
    await p.selectOption('[data-testid="alert-state"]', 'active');
    await p.locator(`#alerts [data-testid="alert"][data-id="${target.id}"]`).waitFor({ state: 'detached' })
      .catch(() => { throw new Error('the dismissed alert is still listed under Active'); });
    await h.screenshot(p, 'desktop', '/budgets-production-dismissed');
    // Every scope the admin reads: the active alerts of mg/production stay listed, each other scope's named.
    await p.selectOption('[data-testid="alert-where"]', 'all');
    const other = fired.find((a) => a.id !== target.id);
    await alertsLoaded(p);
    h.check(await p.locator(`#alerts [data-testid="alert"][data-id="${other.id}"]`).count() === 1, `alert ${other.id} is not listed on every scope`);
    const foreign = await p.locator('#alerts [data-testid="alert"]').evaluateAll((es) =>
      es.filter((e) => e.querySelector('[data-testid="alert-scope"]')).length);
    const everywhere = (await h.api('GET', '/api/v1/alerts?state=active')).value;
    h.check(foreign === everywhere.filter((a) => a.scope !== scope).length,
      `${foreign} listed alerts name their scope; the API has ${everywhere.filter((a) => a.scope !== scope).length} active alerts on other scopes`);

    // Anomaly alerts, when the data has any (the scenario cannot make one):
    // each shows its facts and causes in words.
    const anomalies = (await h.api('GET', `/api/v1/alerts?scope=${scope}&kind=anomaly`)).value;
    if (anomalies.length) {
      await p.selectOption('[data-testid="alert-where"]', 'scope');
      await p.selectOption('[data-testid="alert-state"]', '');
      await alertsLoaded(p);
      const a = anomalies[0];
      const text = await p.locator(`#alerts [data-testid="alert"][data-id="${a.id}"]`).textContent({ timeout: 5000 })
        .catch(() => { throw new Error(`the anomaly alert ${a.id} is not listed`); });
      for (const word of ['Anomaly', 'Series', 'Expected', 'Actual', 'Impact', a.anomaly.dimension ? `${a.anomaly.dimension} = ` : 'whole scope']) {
        h.check(text.includes(word), `the anomaly alert ${a.id} does not show ${word}: "${text.slice(0, 300)}"`);
      }
      if (a.anomaly.causes?.length) h.check(text.includes('Top causes'), `the anomaly alert ${a.id} does not show its causes`);
    } else h.log(`no anomaly alert on ${scope}: the page's anomaly rendering is left to jstest/budgets.test.mjs`);

    for (const view of ['phone', 'desktop-dark']) {
      const { page: q } = await h.signIn(undefined, viewports[view]);
      await q.goto(h.url(page));
      await settled(q);
      checkBar(h, `${view}: ${over.name}`, await shown(q, over.id), listed.find((x) => x.id === over.id).status);
      await h.screenshot(q, view, '/budgets-production');
      if (view === 'phone') {
        const [scroll, client] = await q.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
        h.check(scroll <= client, `${page} on a phone is ${scroll}px wide on a ${client}px screen`);
      } else for (const v of await h.axe(q)) h.check(false, `${page} (${view}): ${v}`);
    }
  } finally {
    for (const id of made) await retire(h, id);
    await cleanRate();
  }
}

// form: the form refuses a threshold that is no number before asking, and
// shows the API's refusal of a bad name; a budget created in it is the
// API's, edited it changes, deleted it goes.
async function form(h) {
  const cleanRate = await ensureRate(h);
  const name = `browser-form-${stamp()}`;
  try {
    const { page: p } = await h.signIn();
    await p.goto(h.url(page));
    await settled(p);
    await (await h.testid(p, 'budget-new')).click();
    await p.fill('[data-testid="b-name"]', 'not a name');
    await p.fill('[data-testid="b-amount"]', '1234.5');
    await p.fill('[data-testid="b-currency"]', 'USD');
    const row = p.locator('[data-testid="b-notification"]').first();
    await row.locator('.n-threshold').fill('eighty');
    await row.locator('.n-emails').fill('finops@example.com');
    await (await h.testid(p, 'budget-save')).click();
    const local = await p.locator('[data-testid="form-error"]').filter({ hasText: 'eighty' }).textContent()
      .catch(() => { throw new Error('a threshold that is not a number showed no message'); });
    h.check(/not a number/.test(local), `the form says "${local}"`);
    await row.locator('.n-threshold').fill('80');
    await (await h.testid(p, 'budget-save')).click();
    const refused = await p.locator('[data-testid="form-error"]').filter({ hasText: 'not a name' }).textContent()
      .catch(async () => { throw new Error(`the API's refusal of the name "not a name" is not shown: "${await p.locator('[data-testid="form-error"]').textContent()}"`); });
    h.check(/letters, digits/.test(refused), `the refusal of a bad name says "${refused}"`);
    await h.screenshot(p, 'desktop', '/budgets-form-refused');
    for (const v of await h.axe(p)) h.check(false, `${page} (the form open): ${v}`);

    await p.fill('[data-testid="b-name"]', name);
    await (await h.testid(p, 'b-add-notification')).click();
    const second = p.locator('[data-testid="b-notification"]').nth(1);
    await second.locator('.n-type').selectOption('Forecasted');
    await second.locator('.n-threshold').fill('110');
    await second.locator('.n-roles input[value="Owner"]').check();
    await (await h.testid(p, 'budget-save')).click();
    const card = p.locator(`[data-testid="budget"][data-name="${name}"]`);
    await card.waitFor().catch(async () => { throw new Error(`${name} is not listed after Create: "${await p.locator('[data-testid="form-error"]').textContent()}"`); });
    let made = (await exact(h, 'GET', `/api/v1/budgets?scope=${scope}`)).value.find((b) => b.name === name);
    h.must(made, `the API has no budget ${name} after Create`);
    h.check(str(dec(made.amount)) === '1234.5' && made.currency === 'USD' && made.notifications.length === 2 &&
      made.notifications[1].thresholdType === 'Forecasted' && made.notifications[1].contactRoles.join() === 'Owner',
    `the API's budget is ${JSON.stringify({ amount: made.amount, currency: made.currency, notifications: made.notifications })}`);

    await card.locator('[data-testid="budget-edit"]').click();
    h.check(await p.inputValue('[data-testid="b-name"]') === name, 'the edit form does not hold the budget\'s name');
    await p.fill('[data-testid="b-amount"]', '2000');
    await (await h.testid(p, 'budget-save')).click();
    await p.locator('#form-panel').waitFor({ state: 'hidden' })
      .catch(async () => { throw new Error(`saving the edit: "${await p.locator('[data-testid="form-error"]').textContent()}"`); });
    made = await exact(h, 'GET', `/api/v1/budgets/${made.id}`);
    h.check(str(dec(made.amount)) === '2000' && made.notifications.length === 2, `after the edit the API has ${made.amount} with ${made.notifications.length} notifications`);

    await p.locator(`[data-testid="budget"][data-name="${name}"] [data-testid="budget-delete"]`).click();
    await (await h.testid(p, 'confirm-ok')).click();
    await card.waitFor({ state: 'detached' }).catch(() => { throw new Error(`${name} is still listed after Delete`); });
    h.check(!(await exact(h, 'GET', `/api/v1/budgets?scope=${scope}`)).value.some((b) => b.name === name), `the API still has ${name}`);
  } finally {
    const left = (await exact(h, 'GET', `/api/v1/budgets?scope=${scope}`)).value.find((b) => b.name === name);
    if (left) await retire(h, left.id);
    await cleanRate();
  }
}

// reader: a Reader of mg/production sees its budgets and alerts, and no
// control to create, edit, delete or dismiss; the API refuses a dismissal
// of theirs in words.
async function reader(h) {
  const cleanRate = await ensureRate(h);
  const user = `browser-budget-reader-${stamp()}`;
  let id = '';
  try {
    const made = await createBudget(h, `browser-reader-${stamp()}`, '1000000000', [notify('Actual', '1000')]);
    id = made.id;
    if (dec(made.status.spent) < ONE) h.skip(`${scope} has spent ${made.status.spent} USD this month so far`);
    // Half the month's cost so far: the actual passes 100%.
    await exact(h, 'PATCH', `/api/v1/budgets/${id}`, { amount: cents(dec(made.status.spent) / 2n), notifications: [notify('Actual', '100')] });
    const [alert] = await alertsOf(h, id, 1);
    await h.api('POST', '/api/v1/users', { name: user });
    await h.api('POST', '/api/v1/roleAssignments', { user, role: 'Reader', scope });
    const { token } = await h.api('POST', `/api/v1/users/${user}/tokens`);
    const { page: p } = await h.signIn(token);
    await p.goto(h.url(page));
    await settled(p);
    const status = (await exact(h, 'GET', `/api/v1/budgets/${id}`, undefined, token)).status;
    checkBar(h, 'the Reader\'s', await shown(p, id), status);
    await p.locator(`#alerts [data-testid="alert"][data-id="${alert.id}"]`).waitFor().catch(() => { throw new Error(`the Reader does not see alert ${alert.id}`); });
    for (const hook of ['budget-new', 'budget-edit', 'budget-delete', 'alert-dismiss']) {
      h.check(await p.locator(`[data-testid="${hook}"]:visible`).count() === 0, `a Reader sees ${hook}`);
    }
    h.check(/need Contributor/.test(await p.locator('#lead').textContent()), 'the page does not tell the Reader what changing budgets needs');
    const refused = await p.evaluate(async (aid) => {
      const { api } = await import(document.querySelector('meta[name="reckon-static"]').content + '/js/api.js');
      try { await api('POST', `/api/v1/alerts/${aid}/dismiss`); return ''; } catch (e) { return `${e.status} ${e.message}`; }
    }, alert.id);
    h.check(/^403 .*Contributor/.test(refused), `a Reader's dismissal: "${refused || 'accepted'}"`);
    await h.screenshot(p, 'desktop', '/budgets-reader');
    for (const v of await h.axe(p)) h.check(false, `${page} (a Reader): ${v}`);
    // A scope the Reader may not read is refused in words, with no budget of another shown.
    await p.goto(h.url('/budgets?scope=mg/root'));
    const refusal = await p.locator('[data-testid="error"]').filter({ hasText: 'mg/root' }).textContent()
      .catch(() => { throw new Error('a Reader of mg/production sees no refusal on /budgets?scope=mg/root'); });
    h.check(/may not read mg\/root/.test(refusal), `the refusal says "${refusal}"`);
    h.check(await p.locator('[data-testid="budget"]:visible').count() === 0, 'budgets are shown under a refusal');
  } finally {
    if (id) await retire(h, id);
    await h.api('DELETE', '/api/v1/roleAssignments?' + new URLSearchParams({ user, role: 'Reader', scope })).catch(() => {});
    await cleanRate();
  }
}

// The scenarios by name, in the order they run.
export const scenarios = { 'budget-bars-and-alerts': barsAndAlerts, 'budget-form': form, 'budget-reader': reader };
