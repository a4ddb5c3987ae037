/** `result.json` of a finished run: what `adalora report` and sweeps read. */
export interface RunResult {
  task: string;
  model: string;
  method: 'adalora' | 'lora';
  scorer: string | null;
  seed: number;
  engine: string;
  /** Optimizer steps taken. */
  steps: number;
  /** Final evaluation per evaluated split (MNLI has two), metric key → value. */
  evals: Record<string, Record<string, number>>;
  /** The task's main metric on its first eval split. */
  primary: { split: string; key: string; value: number };
  /** Final rank per adapted module (AdaLoRA: kept triplets; LoRA: its rank). */
  finalRanks: Record<string, number>;
  /** Initial rank per module, for heat-map scales. */
  initR: number;
  trainableParameters: number;
  trainSeconds: number;
}
