// The "Tensor files" example of the package README, run as written on the fixtures (keep the two in sync).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { initBackend, readSafetensors, readTorchCheckpoint, writeSafetensors } from '../index.js';
import { fixtures, temporaryDirectory } from './test-support.js';

it('README example: read safetensors and .bin, make a tensor, write fp16 safetensors', async () => {
  const dir = join(fixtures, 'deberta-v3-tiny-seqcls');
  const out = await temporaryDirectory();

  const { tf } = await initBackend({ engine: 'cpu' });
  const { tensors, metadata } = await readSafetensors(`${dir}/model.safetensors`); // dir: a checkpoint folder
  const w = tensors.get('classifier.weight')!; // { dtype: 'F32', shape: [3, 32], data: Float32Array }
  const kernel = tf.tensor(w.data as Float32Array, [...w.shape]);

  // Only some tensors (the others' bytes are never read), and the same from a PyTorch checkpoint:
  const heads = await readSafetensors(`${dir}/model.safetensors`, { filter: (name) => name.startsWith('classifier.') });
  const fromBin = await readTorchCheckpoint(`${dir}/pytorch_model.bin`); // same result shape, same values

  // Convert to fp16 safetensors (rounded like torch.half()):
  const half = new Map([...fromBin.tensors].map(([name, t]) => [name, { ...t, dtype: 'F16' as const }]));
  await writeSafetensors(`${out}/model-f16.safetensors`, half, { format: 'pt' });

  expect(metadata).toEqual({ format: 'pt' });
  expect(w.dtype).toBe('F32');
  expect(kernel.shape).toEqual([3, 32]);
  expect(kernel.dtype).toBe('float32');
  expect([...heads.tensors.keys()]).toEqual(['classifier.bias', 'classifier.weight']);
  expect(fromBin.tensors.get('classifier.weight')).toEqual(w);
  expect(readFileSync(`${out}/model-f16.safetensors`).equals(readFileSync(join(fixtures, 'deberta-v3-tiny-f16-seqcls/model.safetensors')))).toBe(true);
  kernel.dispose();
});
