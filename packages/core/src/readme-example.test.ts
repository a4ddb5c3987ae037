// The README's example, run as written (keep the two in sync).
import { expect, it } from 'vitest';
import { createRegistry, InvalidConfigError, UnknownImplementationError } from './index.js';

it('README example', () => {
  const engines = createRegistry('engine', { wasm: { threads: 1 }, cpu: { threads: 1 } });
  expect(engines.get('wasm')).toEqual({ threads: 1 });
  const flag = 'wsam';
  let message = '';
  try {
    engines.resolve(flag);
  } catch (error) {
    if (UnknownImplementationError.isInstance(error)) message = error.message;
  }
  expect(message).toBe("Unknown engine 'wsam'. Available: 'cpu', 'wasm'. Did you mean 'wasm'?");
  expect(() => {
    throw new InvalidConfigError({ field: 'deltaT', value: 0, reason: 'must be an integer ≥ 1' });
  }).toThrow("Invalid config 'deltaT' = 0: must be an integer ≥ 1");
});

it('truncation rules: longest_first lengths and stride windows (hand-derived)', async () => {
  const { longestFirstLengths, strideWindows } = await import('./index.js');
  // budget 10, lengths 8 and 6: s = 6, l' = max(6, 10 − 6) = 6 → 12 > 10 → s' = 5, l' = 5.
  expect(longestFirstLengths(8, 6, 10)).toEqual([5, 5]);
  // budget 11, lengths 3 and 20: s = 3 fits, l' = 11 − 3 = 8.
  expect(longestFirstLengths(3, 20, 11)).toEqual([3, 8]);
  expect(longestFirstLengths(2, 3, 10)).toEqual([2, 3]);
  // 10 tokens, windows of 4 with stride 1: starts 0, 3, 6 → [0,4) [3,7) [6,10).
  expect(strideWindows(10, 4, 1)).toEqual([{ start: 0, end: 4 }, { start: 3, end: 7 }, { start: 6, end: 10 }]);
  expect(() => strideWindows(10, 4, 4)).toThrow("Invalid config 'stride' = 4");
});
