import { UnknownImplementationError } from './errors.js';

/**
 * A typed, explicit registry of named implementations (score functions, tasks, models, engines).
 *
 * The ids are part of the type: `registry.get('fisher')` does not compile unless `'fisher'` was
 * registered. Strings from outside (CLI flags, JSON configs) go through `resolve`, which throws an
 * `UnknownImplementationError` listing the known ids. Nothing registers itself through import side
 * effects: what is in a registry is exactly the record it was built from.
 */
export interface Registry<Id extends string, Value> {
  /** What the entries are, used in error messages (e.g. `'score function'`). */
  readonly kind: string;
  /** The registered ids, in insertion order. */
  ids(): Id[];
  /** The entry for a known id. */
  get<K extends Id>(id: K): Value;
  /** Narrows an arbitrary string to a registered id. */
  has(id: string): id is Id;
  /** The entry for a string from outside; throws `UnknownImplementationError` if it is not registered. */
  resolve(id: string): Value;
  /** A new registry with these entries added (or replaced); this one is unchanged. */
  extend<Extra extends Record<string, unknown>>(extra: Extra): Registry<Id | (keyof Extra & string), Value | Extra[keyof Extra]>;
  /** The entries as `[id, value]` pairs, in insertion order. */
  entries(): Array<[Id, Value]>;
}

/** Builds a registry from a record of id → implementation. */
export function createRegistry<Entries extends Record<string, unknown>>(
  kind: string,
  record: Entries,
): Registry<keyof Entries & string, Entries[keyof Entries]> {
  type Id = keyof Entries & string;
  type Value = Entries[keyof Entries];
  const map = new Map<string, Value>(Object.entries(record) as Array<[string, Value]>);
  const registry: Registry<Id, Value> = {
    kind,
    ids: () => [...map.keys()] as Id[],
    get: (id) => map.get(id) as Value,
    has: (id): id is Id => map.has(id),
    resolve(id) {
      if (!map.has(id)) throw new UnknownImplementationError({ kind, id, available: [...map.keys()] });
      return map.get(id) as Value;
    },
    extend: (extra) => createRegistry(kind, { ...Object.fromEntries(map), ...extra }) as never,
    entries: () => [...map.entries()] as Array<[Id, Value]>,
  };
  return registry;
}
