import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { InvalidConfigError, UnknownImplementationError, UnsupportedInputError } from '@adalora/core';
import { tasks } from '@adalora/datasets';
import { scoreFunctions } from '@adalora/scores';
import { LineCounter, isMap, isNode, isScalar, parseDocument, type Document } from 'yaml';
import { presets as trainPresets } from '../config/presets.js';
import { parseOptionValue } from '../config/resolve-options.js';
import { trainOptionSpecs, type OptionSpec } from '../config/train-options.js';

/** A value of one `adalora train` flag, typed as the flag parses it. */
export type ArgValue = string | number | boolean | string[];

/** One value of an axis: the label used in cell names and the train options it sets. */
export interface AxisValue {
  label: string;
  options: Record<string, ArgValue>;
}

/**
 * One axis of a grid. An option axis (`seed: [1, 2]`) sets one train option per value; an axis of
 * option sets (`variant: [{name: lora, method: lora}, ...]`) sets several options per value.
 */
export interface Axis {
  name: string;
  values: AxisValue[];
}

/** A parsed, validated grid: options shared by every cell, and the axes whose product is the cells. */
export interface Grid {
  name: string;
  /** Train options (camelCase keys, plus `preset`, train's own `--preset`) shared by every cell. */
  fixed: Record<string, ArgValue>;
  axes: Axis[];
}

/** One cell of a grid: a single `adalora train` run. */
export interface Cell {
  index: number;
  /** `axis=label,axis=label` (Hydra's override-dirname convention); `run` for a grid without axes. */
  name: string;
  /** The run folder, relative to the sweep folder. */
  dir: string;
  /** Axis name → value label. */
  values: Record<string, string>;
  /** Every train option the cell sets (fixed and axis values). */
  options: Record<string, ArgValue>;
  /** The `adalora train` arguments of the cell, without `--out`. */
  args: string[];
}

/** The keys a grid may set: every train option (as its camelCase key) and train's `--preset`. */
const specsByName = new Map<string, OptionSpec>();
for (const spec of trainOptionSpecs) {
  specsByName.set(spec.key, spec);
  specsByName.set(spec.flag, spec);
}
const presetKey = 'preset';
const knownKeys = [...trainOptionSpecs.map((s) => s.flag), presetKey];

/** The flag of a grid key (`maxSteps` or `max-steps` → `max-steps`), or undefined if it is not a train option. */
export function flagOf(name: string): string | undefined {
  if (name === presetKey) return presetKey;
  return specsByName.get(name)?.flag;
}

function keyOf(name: string): string | undefined {
  if (name === presetKey) return presetKey;
  return specsByName.get(name)?.key;
}

/** Where a value came from, for error messages: `file:line: path` (or `--axis` for the command line). */
export type Locate = (path: Array<string | number>) => string;

/**
 * Parses and checks one value for a train option key: types and ranges as `adalora train` checks them,
 * and the names the trainer resolves in registries (task, scorer, preset) against those registries.
 */
export function checkValue(name: string, raw: unknown, where: string): ArgValue {
  const key = keyOf(name);
  if (key === presetKey) {
    if (typeof raw !== 'string' || !(raw in trainPresets)) {
      throw new InvalidConfigError({ field: where, value: raw, reason: `unknown train preset; known: ${Object.keys(trainPresets).join(', ')}` });
    }
    return raw;
  }
  const spec = specsByName.get(name) as OptionSpec;
  let value: unknown;
  try {
    value = parseOptionValue(spec, typeof raw === 'number' && spec.kind === 'string' ? String(raw) : raw, '');
  } catch (error) {
    if (InvalidConfigError.isInstance(error)) throw new InvalidConfigError({ field: where, value: error.value, reason: error.reason });
    throw error;
  }
  const registry = spec.key === 'scorer' ? scoreFunctions : spec.key === 'task' ? tasks : undefined;
  if (registry !== undefined && !registry.has(value as string)) {
    throw new InvalidConfigError({ field: where, value, reason: new UnknownImplementationError({ kind: registry.kind, id: value as string, available: registry.ids() }).message });
  }
  return value as ArgValue;
}

const safe = /^[A-Za-z0-9._+-]{1,40}$/;

/**
 * A label safe in a folder name: the value itself when it is short and made of `[A-Za-z0-9._+-]`,
 * else a cleaned, shortened form plus 6 hex digits of its SHA-1, so different values never collide.
 */
export function labelOf(value: ArgValue): string {
  const text = Array.isArray(value) ? value.join('+') : String(value);
  if (safe.test(text)) return text;
  const cleaned = text.replace(/[^A-Za-z0-9._+-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 32);
  const hash = createHash('sha1').update(text).digest('hex').slice(0, 6);
  return cleaned.length > 0 ? `${cleaned}-${hash}` : hash;
}

/** Formats a value as the string `adalora train` parses for its flag. */
export function argString(value: ArgValue): string {
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Builds a grid from a plain object (a parsed grid file or a preset). Keys: `name` (optional), `fixed`
 * (train options for every cell), `axes` (ordered; each an array of values of one train option, or an
 * array of option sets under a free name). Every name and value is checked; errors say where.
 */
export function gridFromObject(input: unknown, defaultName: string, locate: Locate): Grid {
  if (!isRecord(input)) throw new UnsupportedInputError({ source: locate([]), expected: 'a grid: a mapping with `fixed` and `axes`' });
  for (const key of Object.keys(input)) {
    if (!['name', 'fixed', 'axes'].includes(key)) {
      throw new InvalidConfigError({ field: `${locate([key])}${key}`, value: input[key], reason: 'unknown grid key; a grid has `name`, `fixed` and `axes`' });
    }
  }
  const name = input.name ?? defaultName;
  if (typeof name !== 'string' || name.length === 0) throw new InvalidConfigError({ field: `${locate(['name'])}name`, value: name, reason: 'expected a non-empty string' });

  const fixed: Record<string, ArgValue> = {};
  const rawFixed = input.fixed ?? {};
  if (!isRecord(rawFixed)) throw new InvalidConfigError({ field: `${locate(['fixed'])}fixed`, value: rawFixed, reason: 'expected a mapping of train options' });
  for (const [option, raw] of Object.entries(rawFixed)) {
    const key = keyOf(option);
    if (key === undefined) {
      throw new InvalidConfigError({ field: `${locate(['fixed', option])}fixed.${option}`, value: raw, reason: new UnknownImplementationError({ kind: 'train option', id: option, available: knownKeys }).message });
    }
    fixed[key] = checkValue(option, raw, `${locate(['fixed', option])}fixed.${flagOf(option)}`);
  }

  const rawAxes = input.axes ?? {};
  if (!isRecord(rawAxes)) throw new InvalidConfigError({ field: `${locate(['axes'])}axes`, value: rawAxes, reason: 'expected a mapping: axis name → list of values' });
  const axes = Object.entries(rawAxes).map(([axisName, rawValues]) => axisFrom(axisName, rawValues, (path) => locate(['axes', axisName, ...path]), 'axes.'));
  const grid: Grid = { name, fixed, axes };
  checkOverlaps(grid, locate);
  return grid;
}

function axisFrom(axisName: string, rawValues: unknown, locate: Locate, prefix: string): Axis {
  const field = (path: Array<string | number>, suffix = '') => `${locate(path)}${prefix}${axisName}${suffix}`;
  if (!Array.isArray(rawValues)) throw new InvalidConfigError({ field: field([]), value: rawValues, reason: 'expected a list of values' });
  if (rawValues.length === 0) throw new InvalidConfigError({ field: field([]), value: rawValues, reason: 'an axis needs at least one value: this grid has zero cells' });
  const key = keyOf(axisName);
  const setsOfOptions = rawValues.every(isRecord);
  let values: AxisValue[];
  if (key !== undefined && !setsOfOptions) {
    values = rawValues.map((raw, i) => {
      const value = checkValue(axisName, raw, field([i], `[${i}]`));
      return { label: labelOf(value), options: { [key]: value } };
    });
  } else if (setsOfOptions) {
    values = rawValues.map((raw, i) => {
      const options: Record<string, ArgValue> = {};
      let label: string | undefined;
      for (const [option, value] of Object.entries(raw as Record<string, unknown>)) {
        if (option === 'name') {
          if (typeof value !== 'string' && typeof value !== 'number') throw new InvalidConfigError({ field: field([i, option], `[${i}].name`), value, reason: 'expected a string' });
          label = labelOf(String(value));
          continue;
        }
        const optionKey = keyOf(option);
        if (optionKey === undefined) {
          throw new InvalidConfigError({ field: field([i, option], `[${i}].${option}`), value, reason: new UnknownImplementationError({ kind: 'train option', id: option, available: knownKeys }).message });
        }
        options[optionKey] = checkValue(option, value, field([i, option], `[${i}].${flagOf(option)}`));
      }
      if (Object.keys(options).length === 0) throw new InvalidConfigError({ field: field([i], `[${i}]`), value: raw, reason: 'an option set needs at least one train option' });
      return { label: label ?? labelOf(Object.values(options).map(argString).join('+')), options };
    });
  } else {
    throw new InvalidConfigError({
      field: field([]), value: rawValues,
      reason: `${new UnknownImplementationError({ kind: 'axis', id: axisName, available: knownKeys }).message} An axis is a train option with a list of its values, or a free name with a list of option sets (mappings).`,
    });
  }
  const seen = new Map<string, number>();
  values.forEach((value, i) => {
    const first = seen.get(value.label);
    if (first !== undefined) throw new InvalidConfigError({ field: field([i], `[${i}]`), value: value.label, reason: `the same value (or name) as entry ${first} of this axis: every cell needs its own name` });
    seen.set(value.label, i);
  });
  return { name: flagOf(axisName) ?? axisName, values };
}

/** An option may be set by `fixed` or by one axis, never by two of them: which one wins would be a guess. */
function checkOverlaps(grid: Grid, locate: Locate): void {
  const owner = new Map<string, string>(Object.keys(grid.fixed).map((key) => [key, 'fixed']));
  for (const axis of grid.axes) {
    const keys = new Set(axis.values.flatMap((v) => Object.keys(v.options)));
    for (const key of keys) {
      const other = owner.get(key);
      if (other !== undefined) {
        throw new InvalidConfigError({ field: `${locate(['axes', axis.name])}axes.${axis.name}`, value: flagOf(key), reason: `option '${flagOf(key)}' is already set by ${other === 'fixed' ? '`fixed`' : `axis '${other}'`}; set each option in one place` });
      }
      owner.set(key, axis.name);
    }
  }
}

/**
 * A `Locate` for a YAML/JSON document: `file:line: ` of the node at that path (for a mapping key, the
 * key's line), or of its nearest ancestor that exists.
 */
function documentLocator(file: string, doc: Document, lines: LineCounter): Locate {
  const offset = (path: Array<string | number>): number | undefined => {
    const last = path[path.length - 1];
    const parent = path.length === 0 ? undefined : doc.getIn(path.slice(0, -1), true);
    if (isMap(parent) && typeof last === 'string') {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
      if (pair !== undefined && isNode(pair.key) && pair.key.range != null) return pair.key.range[0];
    }
    const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
    return isNode(node) && node.range != null ? node.range[0] : undefined;
  };
  return (path) => {
    for (let n = path.length; n >= 0; n--) {
      const at = offset(path.slice(0, n));
      if (at !== undefined) return `${file}:${lines.linePos(at).line}: `;
    }
    return `${file}: `;
  };
}

/** Reads a grid file (`.yaml`, `.yml` or `.json`; JSON is read by the same YAML 1.2 parser, so errors carry lines). */
export function readGridFile(file: string): Grid {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UnsupportedInputError({ source: file, expected: 'a readable grid file (.yaml, .yml or .json)', found: (error as Error).message });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const problem = doc.errors[0];
  if (problem !== undefined) {
    throw new UnsupportedInputError({ source: `${file}:${lines.linePos(problem.pos[0]).line}`, expected: 'valid YAML or JSON', found: problem.message.split('\n')[0] ?? problem.message });
  }
  const name = basename(file, extname(file));
  return gridFromObject(doc.toJS(), name, documentLocator(file, doc, lines));
}

/**
 * Applies command-line changes to a grid: `--axis name=v1,v2` replaces an axis's values (for an axis
 * of option sets: keeps the sets with those names) or adds a new option axis (taking the option out of
 * `fixed` if it was there); train flags given to
 * `adalora sweep` override `fixed` (an axis option there is an error: change it with `--axis`).
 */
export function applyOverrides(grid: Grid, overrides: { axes?: string[]; fixed?: Record<string, string> }): Grid {
  const axes = [...grid.axes];
  for (const text of overrides.axes ?? []) {
    const eq = text.indexOf('=');
    const name = eq < 0 ? text : text.slice(0, eq);
    const list = eq < 0 ? '' : text.slice(eq + 1);
    const items: unknown[] = list.trim().startsWith('[') ? parseJsonList(list, text) : list.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    const axisName = flagOf(name) ?? name;
    const at = axes.findIndex((axis) => axis.name === axisName);
    const existing = axes[at];
    if (existing !== undefined && keyOf(axisName) === undefined) {
      const kept = items.map((label) => {
        const found = existing.values.find((v) => v.label === String(label));
        if (found === undefined) throw new InvalidConfigError({ field: `--axis ${name}`, value: label, reason: `no option set of axis '${name}' has this name; names: ${existing.values.map((v) => v.label).join(', ')}` });
        return found;
      });
      if (kept.length === 0) throw new InvalidConfigError({ field: `--axis ${name}`, value: list, reason: 'an axis needs at least one value: this grid has zero cells' });
      axes[at] = { name: axisName, values: kept };
      continue;
    }
    const axis = axisFrom(name, items, () => '--axis ', '');
    if (at >= 0) axes[at] = axis;
    else axes.push(axis);
  }
  // An option that `--axis` turns into an axis is no longer fixed.
  const fixed = Object.fromEntries(Object.entries(grid.fixed).filter(([key]) => !axes.some((axis) => !grid.axes.includes(axis) && axis.values.some((v) => key in v.options))));
  const changed: Grid = { name: grid.name, fixed, axes };
  for (const [name, raw] of Object.entries(overrides.fixed ?? {})) {
    const key = keyOf(name);
    if (key === undefined) throw new InvalidConfigError({ field: `--${name}`, value: raw, reason: new UnknownImplementationError({ kind: 'train option', id: name, available: knownKeys }).message });
    const axis = axes.find((a) => a.values.some((v) => key in v.options));
    if (axis !== undefined) {
      throw new InvalidConfigError({ field: `--${flagOf(key)}`, value: raw, reason: `'${flagOf(key)}' is set by axis '${axis.name}' (${axis.values.map((v) => v.label).join(', ')}); change an axis with --axis ${axis.name}=...` });
    }
    changed.fixed[key] = checkValue(key, raw, `--${flagOf(key)}`);
  }
  checkOverlaps(changed, () => '--axis ');
  return changed;
}

function parseJsonList(list: string, text: string): unknown[] {
  try {
    const parsed = JSON.parse(list) as unknown;
    if (Array.isArray(parsed)) return parsed;
  } catch {
    // reported below
  }
  throw new InvalidConfigError({ field: '--axis', value: text, reason: 'expected name=v1,v2,... or name=<JSON array>' });
}

/**
 * The cells of a grid: the cartesian product of the axes in their order (the first axis varies
 * slowest), each with `fixed` plus its axis values, named `axis=label,...`.
 */
export function expandGrid(grid: Grid): Cell[] {
  let combos: AxisValue[][] = [[]];
  for (const axis of grid.axes) combos = combos.flatMap((combo) => axis.values.map((value) => [...combo, value]));
  if (combos.length === 0) throw new InvalidConfigError({ field: 'axes', value: grid.axes.map((a) => a.name), reason: 'this grid has zero cells' });
  return combos.map((combo, index) => {
    const name = grid.axes.length === 0 ? 'run' : grid.axes.map((axis, i) => `${axis.name}=${(combo[i] as AxisValue).label}`).join(',');
    const options: Record<string, ArgValue> = { ...grid.fixed };
    for (const value of combo) Object.assign(options, value.options);
    const args = Object.entries(options).flatMap(([key, value]) => [`--${flagOf(key)}`, argString(value)]);
    return { index, name, dir: `cells/${name}`, values: Object.fromEntries(grid.axes.map((axis, i) => [axis.name, (combo[i] as AxisValue).label])), options, args };
  });
}
