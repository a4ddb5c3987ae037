/**
 * Derives the seed of one random draw (one adapter matrix, say) from the run's seed and a stable label
 * such as `'layers.0.proj.lora_A'`.
 *
 * Why: every matrix needs its own stream, and the stream must not depend on the order in which
 * matrices happen to be created, so that adding a module or reordering the model does not change the
 * initialisation of the others. The label is hashed with 32-bit FNV-1a together with the seed, then
 * mixed with a murmur3 finaliser; the result is an integer in [1, 2³¹ − 1]. Never 0: tfjs's normal
 * generator treats a seed of 0 as "no seed" (`seed ? seed : Math.random()`) and would draw at random.
 */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  h = Math.imul(h, 0x01000193);
  // Mix in the high bits of seeds above 2³² too, so 1 and 2³² + 1 differ.
  h ^= Math.floor(seed / 0x100000000) >>> 0;
  h = Math.imul(h, 0x01000193);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return ((h >>> 0) % 0x7fffffff) + 1;
}
