import { InvalidConfigError } from '@adalora/core';

/** A `config.json` as parsed JSON. */
export type RawConfig = Readonly<Record<string, unknown>>;

/** Reads typed fields of a raw config, applying class defaults for missing (or null) keys and naming the file in errors. */
export class ConfigReader {
  constructor(
    private readonly raw: RawConfig,
    private readonly source: string,
  ) {}

  private fail(key: string, value: unknown, reason: string): never {
    throw new InvalidConfigError({ field: `${this.source}: ${key}`, value, reason });
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  number(key: string, fallback: number): number {
    const value = this.raw[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(key, value, 'expected a number');
    return value;
  }

  int(key: string, fallback: number, min = -Infinity): number {
    const value = this.number(key, fallback);
    if (!Number.isInteger(value)) this.fail(key, value, 'expected an integer');
    if (value < min) this.fail(key, value, `expected an integer ≥ ${min}`);
    return value;
  }

  optionalNumber(key: string): number | null {
    return this.has(key) ? this.number(key, 0) : null;
  }

  bool(key: string, fallback: boolean): boolean {
    const value = this.raw[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') this.fail(key, value, 'expected true or false');
    return value;
  }

  string(key: string, fallback: string): string {
    const value = this.raw[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string') this.fail(key, value, 'expected a string');
    return value;
  }

  /** A `"a|b"` string or a list of strings, lower-cased and trimmed (transformers' parsing of `pos_att_type` / `norm_rel_ebd`). */
  stringList(key: string, fallback: readonly string[]): string[] {
    const value = this.raw[key];
    if (value === undefined || value === null) return [...fallback];
    if (typeof value === 'string') return value.toLowerCase().split('|').map((s) => s.trim());
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map((s: string) => s.toLowerCase().trim());
    this.fail(key, value, 'expected a string like "p2c|c2p" or a list of strings');
  }

  /** The number of labels: `num_labels`, else the size of `id2label`, else 2 (PretrainedConfig's default). */
  numLabels(): number {
    if (this.has('num_labels')) return this.int('num_labels', 2, 1);
    const id2label = this.raw.id2label;
    if (id2label !== undefined && id2label !== null) {
      if (typeof id2label !== 'object') this.fail('id2label', id2label, 'expected an object of id → label');
      return Object.keys(id2label).length;
    }
    return 2;
  }

  /** `problem_type` if set. */
  problemType(): ProblemType | null {
    if (!this.has('problem_type')) return null;
    const value = this.string('problem_type', '');
    if (!problemTypes.includes(value as ProblemType)) this.fail('problem_type', value, `expected one of ${problemTypes.join(', ')}`);
    return value as ProblemType;
  }
}

const problemTypes = ['regression', 'single_label_classification', 'multi_label_classification'] as const;
/** transformers' `problem_type` of a sequence-classification config. */
export type ProblemType = (typeof problemTypes)[number];
