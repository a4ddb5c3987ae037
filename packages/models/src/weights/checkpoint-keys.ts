import type { TensorEntry } from '@adalora/tensor';
import type { StateDict } from './weight-loader.js';

/**
 * Renames a checkpoint's keys to the names of the model being built, as transformers' `from_pretrained`
 * does: legacy TensorFlow-era `LayerNorm.gamma` / `.beta` become `.weight` / `.bias`; a bare backbone
 * checkpoint (`embeddings.…`) loaded into a head model gets the `prefix.` (`deberta.`, `bert.`,
 * `roberta.`); a head checkpoint loaded as a bare backbone has it stripped. Returns the renamed
 * dictionary and notes describing what was done.
 */
export function normalizeCheckpointKeys(stateDict: StateDict, prefix: string, wantPrefix: boolean): { stateDict: Map<string, TensorEntry>; notes: string[] } {
  const notes: string[] = [];
  let legacy = 0;
  const renamed = new Map<string, TensorEntry>();
  for (const [key, value] of stateDict) {
    let name = key;
    if (name.endsWith('.gamma')) name = `${name.slice(0, -'.gamma'.length)}.weight`;
    else if (name.endsWith('.beta')) name = `${name.slice(0, -'.beta'.length)}.bias`;
    if (name !== key) legacy++;
    renamed.set(name, value);
  }
  if (legacy > 0) notes.push(`renamed ${legacy} legacy LayerNorm tensors (gamma → weight, beta → bias)`);
  const marker = `${prefix}.`;
  const hasPrefix = [...renamed.keys()].some((k) => k.startsWith(marker));
  if (wantPrefix && !hasPrefix) {
    notes.push(`checkpoint has no '${marker}' prefix (a bare backbone): added it to every tensor name`);
    return { stateDict: new Map([...renamed].map(([k, v]) => [`${marker}${k}`, v])), notes };
  }
  if (!wantPrefix && hasPrefix) {
    notes.push(`checkpoint has the '${marker}' prefix (a model with a head): stripped it for the bare backbone`);
    return { stateDict: new Map([...renamed].map(([k, v]) => [k.startsWith(marker) ? k.slice(marker.length) : k, v])), notes };
  }
  return { stateDict: renamed, notes };
}
