const marker = 'adalora.error';
const symbol = Symbol.for(marker);

/**
 * Base class of every error this project throws.
 *
 * `AdaLoraError.isInstance(e)` checks a `Symbol.for` marker instead of the prototype chain, so the check
 * still holds when two copies of `@adalora/core` are installed side by side (a common result of
 * workspace linking or mismatched versions), where `instanceof` would fail.
 */
export class AdaLoraError extends Error {
  private readonly [symbol] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AdaLoraError';
  }

  /** True for any error created by any copy of `@adalora/core`. */
  static isInstance(error: unknown): error is AdaLoraError {
    return hasMarker(error, symbol);
  }
}

function hasMarker(error: unknown, key: symbol): boolean {
  return typeof error === 'object' && error !== null && key in error && (error as Record<symbol, unknown>)[key] === true;
}

const unknownIdSymbol = Symbol.for('adalora.error.unknown-implementation');

/** A name given on the command line or in a config (scorer, task, model, engine) is not registered. */
export class UnknownImplementationError extends AdaLoraError {
  private readonly [unknownIdSymbol] = true;
  /** What kind of thing was asked for, e.g. `'score function'`. */
  readonly kind: string;
  /** The id that was asked for. */
  readonly id: string;
  /** The ids that are registered, sorted. */
  readonly available: readonly string[];

  constructor({ kind, id, available }: { kind: string; id: string; available: readonly string[] }) {
    const sorted = [...available].sort();
    const near = sorted.filter((candidate) => isNear(id, candidate));
    const hint = near.length > 0 ? ` Did you mean ${near.map((n) => `'${n}'`).join(' or ')}?` : '';
    super(`Unknown ${kind} '${id}'. Available: ${sorted.map((n) => `'${n}'`).join(', ') || '(none)'}.${hint}`);
    this.name = 'UnknownImplementationError';
    this.kind = kind;
    this.id = id;
    this.available = sorted;
  }

  static override isInstance(error: unknown): error is UnknownImplementationError {
    return hasMarker(error, unknownIdSymbol);
  }
}

const invalidConfigSymbol = Symbol.for('adalora.error.invalid-config');

/** A configuration value is out of range or inconsistent with another one. */
export class InvalidConfigError extends AdaLoraError {
  private readonly [invalidConfigSymbol] = true;
  /** The offending field, as the user spelled it (e.g. `'tinit'`). */
  readonly field: string;
  /** The value that was given. */
  readonly value: unknown;
  /** Why it is invalid and what is allowed. */
  readonly reason: string;

  constructor({ field, value, reason }: { field: string; value: unknown; reason: string }) {
    super(`Invalid config '${field}' = ${formatValue(value)}: ${reason}`);
    this.name = 'InvalidConfigError';
    this.field = field;
    this.value = value;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is InvalidConfigError {
    return hasMarker(error, invalidConfigSymbol);
  }
}

const unsupportedInputSymbol = Symbol.for('adalora.error.unsupported-input');

/** An input (file, tensor, row, argument) is malformed or of a kind that is not supported. */
export class UnsupportedInputError extends AdaLoraError {
  private readonly [unsupportedInputSymbol] = true;
  /** Where the input came from: a file path, `file:line`, a tensor name or an id. */
  readonly source: string;
  /** What was expected there. */
  readonly expected: string;

  constructor({ source, expected, found }: { source: string; expected: string; found?: string }) {
    super(`${source}: expected ${expected}${found === undefined ? '' : `, found ${found}`}`);
    this.name = 'UnsupportedInputError';
    this.source = source;
    this.expected = expected;
  }

  static override isInstance(error: unknown): error is UnsupportedInputError {
    return hasMarker(error, unsupportedInputSymbol);
  }
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Levenshtein distance ≤ 2, or one name contains the other: close enough to suggest. */
function isNear(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x.length >= 3 && (y.includes(x) || x.includes(y))) return true;
  return editDistance(x, y) <= 2;
}

/** Plain dynamic-programming edit distance; the inputs are short ids. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
