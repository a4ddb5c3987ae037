import { getGradient, registerGradient } from '@tensorflow/tfjs-core';
import type { GradConfig } from '@tensorflow/tfjs-core';

/** Gradient configs registered before ours, by kernel name, restored by `restoreGradients`. */
const stock = new Map<string, GradConfig>();

/**
 * Replaces the registered gradient of a tfjs kernel with `make(stockConfig)`, which decides per call whether
 * to use a fused kernel or the stock gradient. Does nothing when no gradient is registered for the kernel
 * (then nothing in the process can differentiate it anyway). Calling it again keeps the first stock config.
 */
export function overrideGradient(kernelName: string, make: (stockConfig: GradConfig) => GradConfig): void {
  const original = stock.get(kernelName) ?? getGradient(kernelName);
  if (original === undefined) return;
  stock.set(kernelName, original);
  registerGradient(make(original));
}

/** Puts back every stock gradient replaced by `overrideGradient`. */
export function restoreGradients(): void {
  for (const config of stock.values()) registerGradient(config);
  stock.clear();
}
