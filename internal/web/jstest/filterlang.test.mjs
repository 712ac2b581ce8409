// The filter language the chips write, and read back from a saved view.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { build, parseChips } from '../static/js/filterlang.js';

test('chips write the filter language with every value quoted', () => {
  const chips = [
    { join: 'and', not: false, dim: 'ServiceName', values: ['Amazon EC2', 'say "hi"'] },
    { join: 'or', not: true, dim: 'tag:cost center', values: ['a\\b'] },
    { join: 'and', not: false, dim: 'tag:env', values: [''] },
    { join: 'and', not: false, dim: 'tag:and', values: ['x'] },
  ];
  assert.equal(build(chips),
    'ServiceName in ("Amazon EC2", "say \\"hi\\"") or tag:"cost center" not in ("a\\\\b") and tag:env in ("") and tag:"and" in ("x")');
  assert.deepEqual(parseChips(build(chips)), chips);
  assert.equal(build(chips.slice(0, 1), 'RegionId = x'), '(RegionId = x) and (ServiceName in ("Amazon EC2", "say \\"hi\\""))');
});

test('a saved filter of another shape stays text', () => {
  assert.equal(parseChips('(RegionId = a or RegionId = b) and tag:x exists'), null);
  assert.equal(parseChips('ServiceName in ("unclosed)'), null);
  assert.deepEqual(parseChips('RegionId = us-east-1 and tag:team != x'), [
    { join: 'and', not: false, dim: 'RegionId', values: ['us-east-1'] },
    { join: 'and', not: true, dim: 'tag:team', values: ['x'] },
  ]);
});
