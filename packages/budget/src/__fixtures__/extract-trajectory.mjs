// Derives trajectory_allocator.json from the reference trajectory_synthetic.json (1.7 MB): keeps only
// what the allocator sees and decides, drops the tensors (parameters, gradients, EMA states).
// Usage: node extract-trajectory.mjs <path/to/trajectory_synthetic.json> > trajectory_allocator.json
import { readFileSync } from 'node:fs';

const source = process.argv[2];
if (!source) {
  console.error('usage: node extract-trajectory.mjs <trajectory_synthetic.json>');
  process.exit(2);
}
const full = JSON.parse(readFileSync(source, 'utf8'));
const stepFields = [
  't', 'updated_ipt', 'budget', 'mask_applied', 'mask_source', 'threshold', 'triplet_scores',
  'rank_pattern', 'rank_pattern_counts', 'E_after_allocate', 'active_rank',
];
const configFields = ['modules', 'init_r', 'target_r', 'total_step', 'tinit', 'tfinal', 'deltaT', 'init_bgt', 'target_bgt'];
const pick = (object, fields) => Object.fromEntries(fields.filter((f) => f in object).map((f) => [f, object[f]]));
const block = (b) => ({ steps: b.steps.map((s) => pick(s, stepFields)), final: b.final });
const out = {
  derived_from: 'trajectory_synthetic.json (AdaLoRA golden vectors), fields selected by extract-trajectory.mjs',
  meta: full.meta,
  config: pick(full.config, configFields),
  peft: block(full.peft),
  loralib: block(full.loralib),
};
process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
