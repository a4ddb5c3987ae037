import { expectTypeOf, test } from 'vitest';
import { createRegistry } from './registry.js';

test('ids are part of the type', () => {
  const registry = createRegistry('score function', { sensitivity: 1, movement: 2 });
  expectTypeOf(registry.ids()).toEqualTypeOf<Array<'sensitivity' | 'movement'>>();
  // @ts-expect-error 'fisher' is not registered
  registry.get('fisher');
  const wider = registry.extend({ fisher: 3 });
  expectTypeOf(wider.get('fisher')).toEqualTypeOf<number>();
  const flag: string = 'movement';
  if (registry.has(flag)) expectTypeOf(flag).toEqualTypeOf<'sensitivity' | 'movement'>();
});
