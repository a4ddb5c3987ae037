import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UnsupportedInputError } from '@adalora/core';
import type { AdaptableModel } from '@adalora/core';
import type { FinalPhase } from '@adalora/budget';
import { sensitivity } from '@adalora/scores';
import type { ScoreFunction } from '@adalora/scores';
import { readSafetensors } from '@adalora/tensor';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { AdaLoraConfig, NonFiniteGradientPolicy } from './config.js';
import { createAdaLora } from './controller.js';
import type { AdaLoraController } from './controller.js';
import type { OrthRegForm } from './orth-reg.js';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, parsePeftAdapterConfig } from './peft-files.js';

/** Options of `loadAdaLora`: what a PEFT directory does not record. */
export interface LoadAdaLoraOptions {
  /** Score function for continued training. Default: `sensitivity` with the file's β1/β2 (0.85 if absent). */
  scorer?: ScoreFunction<unknown>;
  /** Default: the value this package recorded in the weights' metadata, else `'peft'`. */
  finalPhase?: FinalPhase;
  adapterName?: string;
  nonFiniteGradients?: NonFiniteGradientPolicy;
  onWarning?: (message: string) => void;
}

/**
 * Creates a controller from a PEFT adapter directory (`adapter_config.json` + `adapter_model.safetensors`,
 * ours or PEFT's) and loads its weights into `model`: the configuration (method, target modules, ranks,
 * alpha, dropout, schedule, γ) comes from the file, so the adapter's ΔW is exactly the saved one. With a
 * rank pattern the adapters are resized to their kept triplets (see `AdaLoraController.load`), which is
 * what inference and evaluation need.
 */
export async function loadAdaLora(model: AdaptableModel<Tensor>, dir: string, options: LoadAdaLoraOptions = {}): Promise<AdaLoraController> {
  const configPath = join(dir, ADAPTER_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    throw new UnsupportedInputError({ source: configPath, expected: 'a PEFT adapter_config.json', found: code === 'ENOENT' ? 'no such file' : String((cause as Error).message) });
  }
  const file = parsePeftAdapterConfig(text, configPath);
  const { metadata } = await readSafetensors(join(dir, ADAPTER_WEIGHTS_FILE), { filter: () => false });
  const orthRegForm: OrthRegForm = metadata['adalora_ts.orth_reg_form'] === 'paper' ? 'paper' : 'code';
  const common = {
    targetModules: file.targetModules,
    initR: file.rank,
    alpha: file.loraAlpha,
    dropout: file.loraDropout,
    orthRegForm,
    ...(options.adapterName === undefined ? {} : { adapterName: options.adapterName }),
    ...(options.nonFiniteGradients === undefined ? {} : { nonFiniteGradients: options.nonFiniteGradients }),
    ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
  };
  let config: AdaLoraConfig;
  if (file.peftType === 'LORA') {
    config = { ...common, method: 'lora' };
  } else {
    if (file.totalStep === null) {
      throw new UnsupportedInputError({ source: `${configPath}: total_step`, expected: 'an integer ≥ 1 (AdaLoRA needs it)', found: 'nothing' });
    }
    const recorded = metadata['adalora_ts.final_phase'];
    const finalPhase = options.finalPhase ?? (recorded === 'loralib' ? 'loralib' : 'peft');
    config = {
      ...common,
      method: 'adalora',
      targetR: file.targetR as number,
      scorer: options.scorer ?? sensitivity({ beta1: file.beta1 ?? 0.85, beta2: file.beta2 ?? 0.85 }),
      orthRegWeight: file.orthRegWeight as number,
      budget: { totalStep: file.totalStep, tinit: file.tinit as number, tfinal: file.tfinal as number, deltaT: file.deltaT as number, finalPhase },
    };
  }
  const controller = createAdaLora(model, config);
  try {
    await controller.load(dir);
  } catch (error) {
    controller.dispose();
    throw error;
  }
  return controller;
}
