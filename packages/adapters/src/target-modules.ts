import { InvalidConfigError, editDistance } from '@adalora/core';

/**
 * Which linear layers to adapt, with PEFT's matching rules:
 * - a single **string** is a regular expression that must match the **whole** name (PEFT's
 *   `re.fullmatch(target_modules, key)`), e.g. `'.*\\.(query|value)_proj'`;
 * - an **array** entry that is a string matches a name equal to it or ending in `.<entry>` (so `'dense'`
 *   matches `encoder.layer.0.attention.output.dense` and also `pooler.dense`);
 * - a **RegExp** (alone or in an array) matches the names for which `regexp.test(name)` is true (JS
 *   semantics: anchor it yourself).
 */
export type TargetModules = string | RegExp | ReadonlyArray<string | RegExp>;

/**
 * The names among `available` (a model's linear layers, in model order) that `targets` selects, in model
 * order. Every target must select at least one layer: one that selects none is an error naming it and
 * listing the layer names closest to it, so a typo never silently leaves a layer un-adapted.
 */
export function resolveTargetModules(available: readonly string[], targets: TargetModules): string[] {
  const entries: Array<string | RegExp> =
    typeof targets === 'string' ? [fullMatch(targets)] : targets instanceof RegExp ? [targets] : [...targets];
  if (entries.length === 0) {
    throw new InvalidConfigError({ field: 'targetModules', value: [], reason: 'name at least one module to adapt' });
  }
  const selected = new Set<string>();
  for (const entry of entries) {
    if (typeof entry !== 'string' && !(entry instanceof RegExp)) {
      throw new InvalidConfigError({ field: 'targetModules', value: String(entry), reason: 'entries must be strings or regular expressions' });
    }
    const hits = available.filter((name) => matches(name, entry));
    if (hits.length === 0) {
      const label = typeof entry === 'string' ? entry : entry.toString();
      throw new InvalidConfigError({
        field: 'targetModules',
        value: label,
        reason: `matches none of the model's ${available.length} linear layers. ${nearMatchesText(available, typeof entry === 'string' ? entry : entry.source)}`,
      });
    }
    for (const hit of hits) selected.add(hit);
  }
  return available.filter((name) => selected.has(name));
}

function fullMatch(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (cause) {
    throw new InvalidConfigError({ field: 'targetModules', value: pattern, reason: `not a valid regular expression (${(cause as Error).message})` });
  }
}

function matches(name: string, entry: string | RegExp): boolean {
  if (typeof entry === 'string') return name === entry || name.endsWith(`.${entry}`);
  entry.lastIndex = 0; // a /g or /y expression keeps state between test() calls
  return entry.test(name);
}

/** "Near matches: a, b, c" — the layer names whose last components are closest to what was asked for. */
function nearMatchesText(available: readonly string[], asked: string): string {
  const target = asked.toLowerCase();
  const scored = available.map((name) => {
    const parts = name.toLowerCase().split('.');
    let best = editDistance(target, name.toLowerCase());
    for (let k = 1; k <= parts.length; k++) {
      const suffix = parts.slice(parts.length - k).join('.');
      best = Math.min(best, editDistance(target, suffix));
      if (suffix.includes(target) || (target.length >= 3 && target.includes(suffix))) best = Math.min(best, 1);
    }
    return { name, best };
  });
  scored.sort((a, b) => a.best - b.best || available.indexOf(a.name) - available.indexOf(b.name));
  const limit = Math.max(2, Math.ceil(target.length / 3));
  const near = scored.filter((s) => s.best <= limit).slice(0, 5);
  if (near.length > 0) return `Near matches: ${near.map((s) => `'${s.name}'`).join(', ')}.`;
  const some = available.slice(0, 8).map((n) => `'${n}'`);
  return `No close names; the layers are ${some.join(', ')}${available.length > 8 ? ', …' : ''}.`;
}
