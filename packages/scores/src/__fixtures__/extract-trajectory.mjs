// Derives trajectory_scores.json from the reference trajectory_synthetic.json (1.7 MB): the score
// inputs and outputs of the PEFT block while the EMAs are updated (t < T − tfinal = 15), i.e. per step
// the post-SGD parameters w, the gradients g, PEFT's EMA state after the call (exp_avg_ipt = Ī,
// exp_avg_unc = Ū) and the triplet scores where a threshold was computed. Everything else is dropped.
// (The loralib block is identical up to t = 14.)
// Usage: node extract-trajectory.mjs <path/to/trajectory_synthetic.json> > trajectory_scores.json
import { readFileSync } from 'node:fs';

const source = process.argv[2];
if (!source) {
  console.error('usage: node extract-trajectory.mjs <trajectory_synthetic.json>');
  process.exit(2);
}
const full = JSON.parse(readFileSync(source, 'utf8'));
const fields = ['t', 'params_after_sgd', 'grads', 'exp_avg_ipt', 'exp_avg_unc', 'triplet_scores'];
const steps = full.peft.steps
  .filter((s) => s.updated_ipt)
  .map((s) => Object.fromEntries(fields.map((f) => [f, s[f]])));
const config = Object.fromEntries(['modules', 'init_r', 'beta1', 'beta2', 'param_naming'].map((f) => [f, full.config[f]]));
const out = {
  derived_from: 'trajectory_synthetic.json (AdaLoRA golden vectors), peft block, steps with updated_ipt, by extract-trajectory.mjs',
  meta: full.meta,
  config,
  steps,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
