// The budgets page's arithmetic and form reading: percents and bars from
// decimal text without floats, colour bands at their exact edges, the
// form's notifications read and refused in words, alerts in the page's
// order, and an anomaly alert's facts. Run: node --test internal/web/jstest/
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  anomalyFacts, band, bar, budgetFacts, fields, percent, ratesNote, readBudget, readNotification, series, shownURL, sortAlerts,
  plainNumber, notificationText,
} from '../static/js/budgetcalc.js';

test('the percent spent is exact, rounded half away from zero to a tenth as the alerts\' messages are', () => {
  for (const [spent, amount, want] of [
    ['500', '1000', '50.0'], ['1234', '1000', '123.4'], ['0', '10', '0.0'],
    // 1/3 and 2/3 of the amount
    ['1', '3', '33.3'], ['2', '3', '66.7'],
    // 0.05% and 0.15% are halves of a tenth: away from zero; 0.025% and 0.075% are not
    ['0.5', '1000', '0.1'], ['1.5', '1000', '0.2'], ['0.25', '1000', '0.0'], ['0.75', '1000', '0.1'], ['0.499999999999999999', '1000', '0.0'],
    // 18 places, past what a float holds: 0.1 + 0.2 of 0.3 is exactly 100%
    ['0.300000000000000001', '0.3', '100.0'], ['697.31796526242561643', '697.31796526242561643', '100.0'],
    ['-5', '100', '-5.0'], ['-0.5', '1000', '-0.1'],
  ]) {
    assert.equal(percent(spent, amount), want, `${spent} of ${amount}`);
  }
  assert.equal(percent('5', '0'), '', 'no percent of nothing');
});

test('the band is ok under 80%, warn from 80% to 100%, over past it, at the exact edges', () => {
  assert.equal(band('79.999999999999999999', '100'), 'ok');
  assert.equal(band('80', '100'), 'warn');
  assert.equal(band('100', '100'), 'warn');
  assert.equal(band('100.000000000000000001', '100'), 'over');
  assert.equal(band('0', '100'), 'ok');
});

test('the bar spans the largest of amount, spent and forecast, never past 100%', () => {
  assert.deepEqual(bar({ amount: '1000', spent: '250', forecast: '500' }), {
    percent: '25.0', forecastPercent: '50.0', band: 'ok', forecastBand: 'ok', fill: '25.00%', overflow: '0%', limit: '', forecast: '50.00%',
  });
  // 150% spent, forecast 200%: the bar is the forecast's length; the amount ends half way.
  assert.deepEqual(bar({ amount: '1000', spent: '1500', forecast: '2000' }), {
    percent: '150.0', forecastPercent: '200.0', band: 'over', forecastBand: 'over', fill: '50.00%', overflow: '25.00%', limit: '50.00%', forecast: '100%',
  });
  // Spent past the amount, forecast under the spent (it cannot be, but the bar holds).
  const b = bar({ amount: '3', spent: '4', forecast: '3.5' });
  assert.equal(b.fill, '75.00%');
  assert.equal(b.overflow, '25.00%');
  assert.equal(b.forecast, '87.50%');
  assert.equal(b.percent, '133.3');
  // A history row has no forecast.
  assert.equal(bar({ amount: '10', spent: '9' }).forecast, '');
  assert.equal(bar({ amount: '10', spent: '9' }).band, 'warn');
});

test('the rates note names each conversion', () => {
  assert.equal(ratesNote([{ from: 'EUR', to: 'USD', rate: '1.08' }], 'USD'), 'Converted into USD at 1 EUR = 1.08 USD (the exchange rates Reckon holds).');
  assert.equal(ratesNote([], 'USD'), '');
  assert.equal(ratesNote(undefined, 'USD'), '');
});

const good = { thresholdType: 'Forecasted', operator: 'GreaterThanOrEqualTo', threshold: '100', emails: 'a@example.com, b@example.com', roles: ['Owner'], webhooks: 'https://hooks.example.com/x' };

test('a notification is read into the API\'s object', () => {
  const { value, errors } = readNotification(good, 1);
  assert.deepEqual(errors, []);
  assert.deepEqual(value, { enabled: true, operator: 'GreaterThanOrEqualTo', threshold: '100', thresholdType: 'Forecasted',
    contactEmails: ['a@example.com', 'b@example.com'], contactRoles: ['Owner'], webhooks: ['https://hooks.example.com/x'] });
  assert.equal(readNotification({ ...good, enabled: false, name: 'n1' }, 1).value.enabled, false);
  assert.equal(readNotification({ ...good, name: 'n1' }, 1).value.name, 'n1');
});

test('a notification\'s mistakes are said in words, naming the notification', () => {
  for (const [change, want] of [
    [{ threshold: 'eighty' }, /Notification 2: the threshold "eighty" is not a number/],
    [{ threshold: '0' }, /above 0 and at most 1000/],
    [{ threshold: '1000.5' }, /above 0 and at most 1000/],
    [{ operator: 'LessThan' }, /LessThan is not GreaterThan/],
    [{ thresholdType: 'Guess' }, /Guess is not Actual or Forecasted/],
    [{ emails: 'not-an-address' }, /"not-an-address" is not an email address/],
    [{ roles: ['Boss'] }, /Boss is not a role/],
    [{ webhooks: 'ftp://example.com/x' }, /"ftp:\/\/example.com\/x" is not an http or https URL/],
    [{ emails: '', roles: [], webhooks: '' }, /give whom to tell/],
  ]) {
    const { errors } = readNotification({ ...good, ...change }, 2);
    assert.ok(errors.some((e) => want.test(e)), `${JSON.stringify(change)}: ${errors.join(' | ')}`);
  }
  assert.equal(readNotification({ ...good, threshold: '1000' }, 1).errors.length, 0);
});

const form = { name: 'prod-monthly', amount: '2,500.50', currency: 'usd', timeGrain: 'Quarterly', startMonth: '2026-10', measure: 'EffectiveCost',
  filter: ' ServiceName = "Amazon EC2" ', notifications: [good] };

test('the form is read into the body of POST /api/v1/budgets, and of PATCH without the scope', () => {
  const { body, errors } = readBudget(form, { scope: 'mg/production' });
  assert.deepEqual(errors, []);
  assert.deepEqual(body, { scope: 'mg/production', name: 'prod-monthly', amount: '2500.50', currency: 'USD', timeGrain: 'Quarterly', startDate: '2026-10-01',
    measure: 'EffectiveCost', filter: 'ServiceName = "Amazon EC2"', notifications: [readNotification(good, 1).value] });
  const edit = readBudget({ ...form, currency: '' }, { scope: 'mg/production', editing: true }).body;
  assert.equal(edit.scope, undefined);
  assert.equal(edit.currency, undefined, 'an empty currency keeps the budget\'s');
  assert.equal(edit.filter, 'ServiceName = "Amazon EC2"');
  assert.equal(readBudget({ ...form, filter: '' }, { editing: true }).body.filter, '', 'an emptied filter is sent, to clear it');
});

test('an amount takes commas only as thousands separators', () => {
  for (const [typed, want] of [['2,500.50', '2500.50'], ['1,234,567', '1234567'], ['1000', '1000'], ['0.5', '0.5']]) {
    const { body, errors } = readBudget({ ...form, amount: typed }, { scope: 'mg/root' });
    assert.deepEqual(errors, [], typed);
    assert.equal(body.amount, want, typed);
  }
  for (const typed of ['1,5', '2500,50', '12,34.5', '1e3', '0']) {
    const { errors } = readBudget({ ...form, amount: typed }, { scope: 'mg/root' });
    assert.ok(errors.some((e) => e.includes(`"${typed}" is not a number above 0`)), `${typed}: ${errors.join(' | ')}`);
  }
});

test('the form\'s mistakes are all said at once', () => {
  const { errors } = readBudget({ name: '', amount: '-3', currency: 'dollars', timeGrain: 'Weekly', startMonth: '2026-13',
    notifications: [good, good, good, good, good, { ...good, threshold: 'x' }] }, { scope: 'mg/root' });
  for (const want of [/Give the budget a name/, /"-3" is not a number above 0/, /"DOLLARS" is not a three-letter code/, /Weekly is not Monthly/,
    /month the budget starts in/, /at most 5 notifications/, /Notification 6: the threshold "x"/]) {
    assert.ok(errors.some((e) => want.test(e)), `${want}: ${errors.join(' | ')}`);
  }
});

test('a budget from the API fills the form, and reads back to the same notifications', () => {
  const b = { id: '0123456789abcdef', scope: 'mg/production', name: 'prod', amount: '1000', currency: 'USD', measure: 'BilledCost', timeGrain: 'Monthly',
    startDate: '2026-11-01T00:00:00Z', endDate: '2036-11-01T00:00:00Z', notifications: [
      { name: 'Actual_GreaterThan_80_Percent', enabled: true, operator: 'GreaterThan', threshold: '80', thresholdType: 'Actual',
        contactEmails: ['a@example.com'], contactRoles: ['Owner', 'Reader'], webhooks: ['https://h.example.com/1', 'https://h.example.com/2'] }] };
  const f = fields(b);
  assert.equal(f.startMonth, '2026-11');
  assert.equal(f.filter, '');
  const { body, errors } = readBudget(f, { editing: true });
  assert.deepEqual(errors, []);
  assert.deepEqual(body.notifications, [{ name: 'Actual_GreaterThan_80_Percent', enabled: true, operator: 'GreaterThan', threshold: '80', thresholdType: 'Actual',
    contactEmails: ['a@example.com'], contactRoles: ['Owner', 'Reader'], webhooks: ['https://h.example.com/1', 'https://h.example.com/2'] }]);
  assert.equal(body.startDate, '2026-11-01');
});

test('alerts are listed active first, then dismissed, then resolved, the latest fired first in each', () => {
  const alerts = [
    { id: 'a1', state: 'resolved', fired: '2026-11-20T00:00:00Z' },
    { id: 'a2', state: 'active', fired: '2026-11-01T00:00:00Z' },
    { id: 'a3', state: 'dismissed', fired: '2026-11-27T00:00:00Z' },
    { id: 'a4', state: 'active', fired: '2026-11-25T00:00:00Z' },
    { id: 'a5', state: 'resolved', fired: '2026-11-26T00:00:00Z' },
  ];
  assert.deepEqual(sortAlerts(alerts).map((a) => a.id), ['a4', 'a2', 'a3', 'a5', 'a1']);
  assert.equal(alerts[0].id, 'a1', 'the list given is left as it was');
});

// An anomaly alert as GET /api/v1/alerts answers it (no API makes one on
// purpose, so the fixture stands for the evaluator's).
const anomaly = {
  id: 'f00dfeedf00dfeed', kind: 'anomaly', scope: 'mg/production', state: 'active', fired: '2026-11-27T06:00:00Z',
  message: 'Anomaly on mg/production: the cost of 2026-11-26 was USD 1,530.00, USD 1,000.00 expected',
  anomaly: { date: '2026-11-26T00:00:00Z', dimension: '', value: '', type: 'spike', currency: 'USD', expected: '1000', actual: '1530.004', impact: '530.004',
    causes: [
      { dimension: 'ServiceName', value: 'Amazon S3', expected: '100', actual: '130', impact: '30' },
      { dimension: 'ServiceName', value: 'Amazon EC2', expected: '500', actual: '1000.004', impact: '500.004' },
      { dimension: 'RegionId', value: '', expected: '10', actual: '-10', impact: '-20' },
    ] },
  deliveries: [],
};

test('an anomaly alert shows its date, series, expected and actual, impact and top causes', () => {
  const { facts, causes } = anomalyFacts(anomaly.anomaly, 2);
  assert.deepEqual(facts, [['Date', '2026-11-26'], ['Series', 'whole scope'], ['Type', 'spike'],
    ['Expected', 'USD 1,000.00'], ['Actual', 'USD 1,530.00'], ['Impact', 'USD 530.00']]);
  assert.deepEqual(causes, [
    { series: 'ServiceName = Amazon EC2', text: 'expected USD 500.00, actual USD 1,000.00, impact USD 500.00' },
    { series: 'ServiceName = Amazon S3', text: 'expected USD 100.00, actual USD 130.00, impact USD 30.00' },
  ]);
  assert.equal(anomalyFacts(anomaly.anomaly).causes[2].series, 'RegionId = (empty)');
  assert.equal(series({ dimension: 'ServiceName', value: 'Amazon EC2' }), 'ServiceName = Amazon EC2');
});

test('a budget alert shows the cost it compared and its share of the amount', () => {
  const facts = budgetFacts({ budgetId: '0123456789abcdef', budgetName: 'prod', notification: 'Forecasted_GreaterThan_100_Percent',
    period: { start: '2026-11-01T00:00:00Z', end: '2026-12-01T00:00:00Z' }, operator: 'GreaterThan', threshold: '100', thresholdType: 'Forecasted',
    amount: '1000', currency: 'EUR', spent: '900', forecast: '1234.5' });
  assert.deepEqual(facts, [['Budget', 'prod'], ['Threshold', 'forecast cost above 100% of the amount'], ['Period', '2026-11-01 to 2026-11-30'],
    ['Forecast', 'EUR 1,234.50 (123.5% of EUR 1,000.00)']]);
});

test('a webhook is shown without what may hold a secret', () => {
  assert.equal(shownURL('https://hooks.example.com/reckon?sig=secret'), 'https://hooks.example.com/reckon?…');
  assert.equal(shownURL('https://user:pass@hooks.example.com:8443/x'), 'https://…@hooks.example.com:8443/x');
  assert.equal(shownURL('https://hooks.example.com/x#token'), 'https://hooks.example.com/x?…');
  assert.equal(shownURL('https://hooks.example.com/x'), 'https://hooks.example.com/x');
});

test('a threshold is written without the zeros that end its fraction', () => {
  assert.equal(plainNumber('100.0'), '100');
  assert.equal(plainNumber('92.50'), '92.5');
  assert.equal(plainNumber('1000'), '1000');
  assert.equal(notificationText({ thresholdType: 'Actual', operator: 'GreaterThan', threshold: '90.0' }), 'cost so far above 90% of the amount');
});
