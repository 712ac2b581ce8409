// The page's exact money: parse, sum and display rounding (half to even,
// to the currency's minor unit). Run: node --test internal/web/jstest/
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { format, parse, round, sum, text } from '../static/js/money.js';

test('decimal text from the API is summed exactly, past what a float holds', () => {
  const parts = ['0.1', '0.2', '697.31796526242561643', '-0.000000000000000001'];
  assert.equal(text(sum(parts.map(parse))), '697.617965262425616429');
  assert.equal(text(parse('12.3456789012345678')), '12.3456789012345678');
  assert.equal(text(parse('-5')), '-5');
});

test('display rounds half to even to the currency minor unit', () => {
  for (const [value, currency, want] of [
    ['697.31796526242561643', 'USD', 'USD 697.32'], ['0.125', 'USD', 'USD 0.12'], ['0.135', 'USD', 'USD 0.14'],
    ['1234567.005', 'EUR', 'EUR 1,234,567.00'], ['-0.004', 'USD', 'USD 0.00'], ['-1234.5', 'USD', 'USD -1,234.50'],
    ['1500.5', 'JPY', 'JPY 1,500'], ['2.0005', 'KWD', 'KWD 2.000'], ['7', 'XYZ', 'XYZ 7.00'],
  ]) {
    assert.equal(format(parse(value), currency), want, `${value} ${currency}`);
  }
  assert.equal(round(parse('2.5'), 0), '2');
  assert.equal(round(parse('3.5'), 0), '4');
});
