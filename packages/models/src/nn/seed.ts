/**
 * Derives a 31-bit seed from a base seed and a path of integers (layer, site, ...).
 *
 * Every dropout mask of a forward pass is drawn from `deriveSeed(callSeed, layer, site)`, so running a
 * layer twice with the same call seed (gradient checkpointing recomputes it) draws the same masks, while
 * different layers and sites get independent streams. The mix is a 32-bit FNV-1a over the words
 * followed by a murmur3 finaliser.
 */
export function deriveSeed(base: number, ...path: number[]): number {
  let h = 0x811c9dc5;
  for (const word of [base, ...path]) {
    let w = Math.trunc(word) >>> 0;
    for (let byte = 0; byte < 4; byte++) {
      h ^= w & 0xff;
      h = Math.imul(h, 0x01000193);
      w >>>= 8;
    }
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x7fffffff;
}

/** A fresh random seed for a training call that was given none. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}
