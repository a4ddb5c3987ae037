import { InvalidConfigError } from '@adalora/core';

/**
 * Throws `InvalidConfigError` unless `value` is an integer in `[min, max]` (both inclusive).
 *
 * Step counts and ranks are counts: a fractional, NaN or infinite value is always a mistake, and
 * silently truncating it would change the schedule.
 */
export function requireInteger(field: string, value: unknown, min: number, max = Number.POSITIVE_INFINITY): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new InvalidConfigError({ field, value, reason: `must be an integer in ${formatRange(min, max)}` });
  }
  if (value < min || value > max) {
    throw new InvalidConfigError({ field, value, reason: `out of range; allowed: ${formatRange(min, max)}` });
  }
  return value;
}

function formatRange(min: number, max: number): string {
  return max === Number.POSITIVE_INFINITY ? `[${min}, ∞)` : `[${min}, ${max}]`;
}
