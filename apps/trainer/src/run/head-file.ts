import * as tf from '@tensorflow/tfjs-core';
import type { Variable } from '@tensorflow/tfjs-core';
import { UnsupportedInputError } from '@adalora/core';
import { readSafetensors, writeSafetensors } from '@adalora/tensor';

/** A model whose trainable head (pooler, classifier, QA outputs) has named variables. */
interface WithHead {
  namedTrainableVariables(): Map<string, Variable>;
}

/**
 * Saves the trained head next to the adapter (`head.safetensors`): the adapter files hold only the
 * A/E/B (or A/B) matrices, so without the head a saved run could not be evaluated again. Kernels are
 * stored as the model holds them ([in, out]).
 */
export async function saveHead(model: WithHead, path: string): Promise<void> {
  const entries = [...model.namedTrainableVariables()].map(([name, v]) => [name, { dtype: 'F32' as const, shape: v.shape, data: v.dataSync() as Float32Array }] as const);
  await writeSafetensors(path, new Map(entries), { format: 'adalora-ts head', layout: 'linear kernels [in, out]' });
}

/** Restores `saveHead`'s file into the model's head; a missing or misshapen tensor names the file and tensor. */
export async function loadHead(model: WithHead, path: string): Promise<void> {
  const { tensors } = await readSafetensors(path);
  for (const [name, variable] of model.namedTrainableVariables()) {
    const entry = tensors.get(name);
    if (entry === undefined) throw new UnsupportedInputError({ source: `${path}: ${name}`, expected: 'the head tensor of this model', found: 'none' });
    if (entry.shape.join() !== variable.shape.join()) throw new UnsupportedInputError({ source: `${path}: ${name}`, expected: `shape [${variable.shape}]`, found: `[${entry.shape}]` });
    tf.tidy(() => variable.assign(tf.tensor(entry.data as Float32Array, variable.shape)));
  }
}
