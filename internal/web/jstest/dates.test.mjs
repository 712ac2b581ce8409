// Date presets and the period each is compared with, from the server's today.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { presetOf, previous, range } from '../static/js/dates.js';

test('presets and their previous periods', () => {
  const today = '2026-11-28';
  for (const [preset, want, before] of [
    ['this-month', ['2026-11-01', '2026-11-29'], ['2026-10-01', '2026-10-29']],
    ['last-month', ['2026-10-01', '2026-11-01'], ['2026-09-01', '2026-10-01']],
    ['last-3-months', ['2026-08-01', '2026-11-01'], ['2026-05-01', '2026-08-01']],
    ['last-6-months', ['2026-05-01', '2026-11-01'], ['2025-11-01', '2026-05-01']],
    ['last-12-months', ['2025-11-01', '2026-11-01'], ['2024-11-01', '2025-11-01']],
    ['this-year', ['2026-01-01', '2026-11-29'], ['2025-01-01', '2025-11-29']],
  ]) {
    const r = range(preset, today);
    assert.deepEqual([r.from, r.to], want, preset);
    const p = previous(r);
    assert.deepEqual([p.from, p.to], before, preset + ' before');
  }
  assert.deepEqual(range('custom', today, '2026-10-05', '2026-10-11'), { from: '2026-10-05', to: '2026-10-12' });
  assert.deepEqual(previous({ from: '2026-10-05', to: '2026-10-12' }), { from: '2026-09-28', to: '2026-10-05' });
  assert.equal(previous(range('all', today)), null);
  assert.deepEqual(previous({ from: '2026-03-01', to: '2026-03-31' }), { from: '2026-02-01', to: '2026-02-28' });
});

test('saved views timeframes open as presets or their days', () => {
  assert.deepEqual(presetOf('TheLastBillingMonth', '2026-11-28'), { preset: 'last-month' });
  assert.deepEqual(presetOf('TheLast7Days', '2026-11-28'), { preset: 'custom', from: '2026-11-21', to: '2026-11-27' });
  assert.deepEqual(presetOf('WeekToDate', '2026-11-28'), { preset: 'custom', from: '2026-11-23', to: '2026-11-28' });
});
