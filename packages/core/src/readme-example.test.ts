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
