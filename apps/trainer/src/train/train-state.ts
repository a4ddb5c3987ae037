import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { readSafetensors, writeSafetensors } from '@adalora/tensor';
import { UnsupportedInputError } from '@adalora/core';
import type { AdamW, AdamWSlot } from './adamw.js';

/** What a resumable checkpoint holds besides tensors. */
export interface CheckpointMeta {
  /** Optimizer steps completed. */
  step: number;
  adamStep: number;
  /** The controller's own JSON state (score bookkeeping, rank pattern). */
  controller: unknown;
  /** The best eval so far and other loop counters. */
  loop: Record<string, unknown>;
}

/** A controller whose state (score EMAs, allocator, rank pattern) can be saved and restored. */
export interface StatefulController {
  exportState(): { tensors: Record<string, Tensor>; json: unknown };
  importState(state: { tensors: Record<string, Tensor>; json: unknown }): void;
}

const tensorsFile = 'state.safetensors';
const metaFile = 'state.json';

/**
 * Writes a resumable checkpoint atomically: everything goes to `<dir>.tmp`, which then replaces `<dir>`
 * by rename, so a kill at any moment leaves the previous complete checkpoint or the new one.
 */
export async function saveCheckpoint(dir: string, parts: { variables: Variable[]; optimizer: AdamW; controller: StatefulController; meta: Omit<CheckpointMeta, 'adamStep' | 'controller'> }): Promise<void> {
  const temporary = `${dir}.tmp`;
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(temporary, { recursive: true });
  const controllerState = parts.controller.exportState();
  const optimizerState = parts.optimizer.state();
  const entries: Array<[string, Tensor]> = [
    ...parts.variables.map((v): [string, Tensor] => [`var/${v.name}`, v]),
    ...[...optimizerState.slots].flatMap(([name, slot]): Array<[string, Tensor]> => [[`adam.m/${name}`, slot.m], [`adam.v/${name}`, slot.v]]),
    ...Object.entries(controllerState.tensors).map(([name, t]): [string, Tensor] => [`controller/${name}`, t]),
  ];
  const tensors = new Map(entries.map(([name, t]) => [name, { dtype: 'F32' as const, shape: t.shape, data: t.dataSync() as Float32Array }]));
  await writeSafetensors(join(temporary, tensorsFile), tensors as never);
  const meta: CheckpointMeta = { ...parts.meta, adamStep: optimizerState.step, controller: controllerState.json };
  writeFileSync(join(temporary, metaFile), `${JSON.stringify(meta)}\n`);
  const old = `${dir}.old`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(temporary, dir);
  rmSync(old, { recursive: true, force: true });
}

/**
 * The folder holding the checkpoint to resume from: `<dir>`, or `<dir>.old` when a kill fell between
 * the two renames of `saveCheckpoint`; null when there is none.
 */
export function checkpointSource(dir: string): string | null {
  for (const candidate of [dir, `${dir}.old`]) if (existsSync(join(candidate, metaFile))) return candidate;
  return null;
}

/** Restores a checkpoint written by `saveCheckpoint` into the live variables, optimizer and controller. */
export async function loadCheckpoint(dir: string, parts: { variables: Variable[]; optimizer: AdamW; controller: StatefulController }): Promise<CheckpointMeta> {
  const source = checkpointSource(dir);
  if (source === null) {
    throw new UnsupportedInputError({ source: dir, expected: 'a checkpoint to resume from (checkpoint/state.json)', found: 'none: the run was stopped before its first checkpoint; start it again with --overwrite' });
  }
  const meta = JSON.parse(readFileSync(join(source, metaFile), 'utf8')) as CheckpointMeta;
  const { tensors } = await readSafetensors(join(source, tensorsFile));
  const take = (name: string, shape?: number[]) => {
    const entry = tensors.get(name);
    if (entry === undefined) throw new UnsupportedInputError({ source: join(source, tensorsFile), expected: `tensor '${name}'`, found: 'none' });
    return tf.tensor(entry.data as Float32Array, shape ?? [...entry.shape], 'float32');
  };
  for (const variable of parts.variables) {
    const value = take(`var/${variable.name}`, variable.shape);
    variable.assign(value);
    value.dispose();
  }
  const slots = new Map<string, AdamWSlot>();
  for (const name of tensors.keys()) {
    if (!name.startsWith('adam.m/')) continue;
    const variable = name.slice('adam.m/'.length);
    slots.set(variable, { m: tf.keep(take(name)), v: tf.keep(take(`adam.v/${variable}`)) });
  }
  parts.optimizer.restore({ step: meta.adamStep, slots });
  const controllerTensors: Record<string, Tensor> = {};
  for (const name of tensors.keys()) if (name.startsWith('controller/')) controllerTensors[name.slice('controller/'.length)] = take(name);
  parts.controller.importState({ tensors: controllerTensors, json: meta.controller });
  return meta;
}
