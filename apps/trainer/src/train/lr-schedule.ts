/**
 * Linear warm-up then linear decay to zero, as `transformers.get_linear_schedule_with_warmup`:
 *
 *   lr(t) = base · t / warmup                           for t < warmup
 *   lr(t) = base · max(0, (total − t) / (total − warmup))  otherwise
 *
 * `t` is the number of optimizer steps already taken (the first update uses lr(0), which is 0 when
 * warmup > 0, exactly as the PyTorch scheduler does).
 */
export function linearWarmupDecay(step: number, { base, warmupSteps, totalSteps }: { base: number; warmupSteps: number; totalSteps: number }): number {
  if (step < warmupSteps) return (base * step) / Math.max(1, warmupSteps);
  return base * Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
}
