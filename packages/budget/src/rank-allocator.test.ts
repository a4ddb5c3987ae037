import { describe, expect, it } from 'vitest';
import schedule from './__fixtures__/budget_schedule.json' with { type: 'json' };
import trajectory from './__fixtures__/trajectory_allocator.json' with { type: 'json' };
import type { FinalPhase } from './allocator-config.js';
import { createRankAllocator } from './rank-allocator.js';
import type { StepPlan, TripletScoreMap } from './rank-allocator.js';

const c = trajectory.config;
const eNames = c.modules.map((m) => `${m.name}.lora_E.default`);
const toyPhases = schedule.tables.find((t) => t.config.name === 'toy')?.rows.map((r) => ({ init: 'warmup', decay: 'decay', final: 'final' })[r.phase]);

interface GoldenStep {
  t: number;
  updated_ipt: boolean;
  budget: number | null;
  mask_applied: boolean;
  mask_source: string | null;
  threshold: number | null;
  triplet_scores: Record<string, number[]> | null;
  rank_pattern?: Record<string, boolean[]> | null;
  rank_pattern_counts?: Record<string, number> | null;
  E_after_allocate: Record<string, number[]>;
}

const allocatorFor = (finalPhase: FinalPhase) =>
  createRankAllocator({ initR: c.init_r, targetR: c.target_r, totalStep: c.total_step, tinit: c.tinit, tfinal: c.tfinal, deltaT: c.deltaT, finalPhase, modules: eNames });

const counts = (pattern: Record<string, boolean[]> | null) => pattern && Object.fromEntries(Object.entries(pattern).map(([k, v]) => [k, v.filter(Boolean).length]));

describe.each([
  ['peft', trajectory.peft.steps as GoldenStep[]],
  ['loralib', trajectory.loralib.steps as GoldenStep[]],
] as const)('replaying trajectory_synthetic.json, %s block, from its recorded triplet scores', (finalPhase, steps) => {
  it('reproduces plan, budget, threshold, keep flags, phase and recorded rank pattern at every step', () => {
    const allocator = allocatorFor(finalPhase);
    expect(allocator.initBudget()).toBe(c.init_bgt);
    expect(allocator.targetBudget()).toBe(c.target_bgt);
    expect(steps).toHaveLength(c.total_step);
    for (const g of steps) {
      const plan = allocator.plan(g.t);
      expect(plan.updateScores, `t=${g.t} updateScores`).toBe(g.updated_ipt);
      expect(plan.maskNow, `t=${g.t} maskNow`).toBe(g.mask_applied);
      expect(plan.needsScores, `t=${g.t} needsScores`).toBe(g.triplet_scores !== null);
      const allocation = allocator.step(g.t, g.triplet_scores ?? undefined);
      // PEFT's model-level method computes no budget in its replay phase (null); the value it stands for is the target.
      expect(allocation.budget, `t=${g.t} budget`).toBe(g.budget ?? c.target_bgt);
      expect(allocation.phase, `t=${g.t} phase`).toBe(toyPhases?.[g.t]);
      expect(allocation.threshold, `t=${g.t} threshold`).toBe(g.threshold);
      expect(allocation.maskSource, `t=${g.t} source`).toBe(
        g.mask_source === null ? null : g.mask_source === 'rank_pattern' ? 'rank-pattern' : 'threshold',
      );
      if (g.mask_applied) {
        // Independent of the recorded pattern: the masked E entries are exactly the zeros after the call.
        const expectedKeep = Object.fromEntries(Object.entries(g.E_after_allocate).map(([k, e]) => [k, e.map((x) => x !== 0)]));
        expect(allocation.keep, `t=${g.t} keep`).toEqual(expectedKeep);
      } else {
        expect(allocation.keep, `t=${g.t} keep`).toBeNull();
      }
      if (finalPhase === 'peft') expect(allocator.rankPattern(), `t=${g.t} rank_pattern`).toEqual(g.rank_pattern);
      else expect(counts(allocator.rankPattern()), `t=${g.t} rank_pattern_counts`).toEqual(g.rank_pattern_counts);
    }
    const final = finalPhase === 'peft' ? trajectory.peft.final.rank_per_module : trajectory.loralib.final.rank_pattern_counts;
    expect(counts(allocator.rankPattern())).toEqual(final);
    expect(Object.values(final)).toEqual([0, 3, 6]);
  });

  it('gives the same flags from float32 scores, with τ equal to 1e-6 relative', () => {
    const allocator = allocatorFor(finalPhase);
    for (const g of steps) {
      const scores = g.triplet_scores && Object.fromEntries(Object.entries(g.triplet_scores).map(([k, v]) => [k, Float32Array.from(v)]));
      const allocation = allocator.step(g.t, scores ?? undefined);
      if (g.threshold === null) expect(allocation.threshold).toBeNull();
      else expect(Math.abs((allocation.threshold as number) - g.threshold)).toBeLessThanOrEqual(1e-6 * Math.abs(g.threshold));
      if (g.mask_applied) expect(counts(allocation.keep)).toEqual(counts(allocator.rankPattern()));
    }
    expect(counts(allocator.rankPattern())).toEqual({ [eNames[0] as string]: 0, [eNames[1] as string]: 3, [eNames[2] as string]: 6 });
  });
});

describe('plan(t) against PEFT update_and_allocate actions (budget_schedule.json, every step)', () => {
  const action = (p: StepPlan): string => {
    if (p.updateScores) return p.maskNow ? 'update+mask' : 'update';
    if (p.resetScores) return 'force_mask+reset_ipt';
    return p.maskNow && !p.needsScores ? 'apply_rank_pattern' : 'unexpected';
  };
  for (const table of schedule.tables) {
    const k = table.config;
    it(`${k.name}: ${k.n_modules} matrices, r ${k.init_r} → ${k.target_r}`, () => {
      const allocator = createRankAllocator({
        initR: k.init_r, targetR: k.target_r, totalStep: k.total_step, tinit: k.tinit, tfinal: k.tfinal, deltaT: k.deltaT,
        modules: Array.from({ length: k.n_modules }, (_, i) => `m${i}`),
      });
      for (const row of table.rows) {
        const p = allocator.plan(row.t);
        expect([row.t, action(p), p.budget]).toEqual([row.t, row.peft_update_and_allocate_action, row.budget]);
      }
    });
  }
});

describe('the caller contract', () => {
  const scores = (values: number[][]): TripletScoreMap => Object.fromEntries(values.map((v, i) => [`m${i}`, v]));

  it('learns the modules and their order from the first scores when none are configured', () => {
    const allocator = createRankAllocator({ initR: 3, targetR: 1, totalStep: 10, tinit: 0, tfinal: 2, deltaT: 1 });
    expect(allocator.modules()).toBeUndefined();
    expect(() => allocator.plan(0)).toThrow(/pass `modules` in the config, or triplet scores to the first step\(\) call/);
    const a = allocator.step(1, scores([[1, 2, 3], [4, 5, 6]]));
    expect(allocator.modules()).toEqual(['m0', 'm1']);
    // b(1) = ⌊(6 − 2)·(1 − 1/8)³ + 2⌋ = ⌊4.6797 + …⌋ = 4, so k = 2: τ = 2.
    expect([a.budget, a.threshold, a.keep]).toEqual([4, 2, { m0: [false, false, true], m1: [true, true, true] }]);
  });

  it('rejects scores for the wrong matrices or of the wrong length, and a masking step without scores', () => {
    const allocator = createRankAllocator({ initR: 3, targetR: 1, totalStep: 10, tfinal: 2, modules: ['m0', 'm1'] });
    expect(() => allocator.step(1, { m0: [1, 2, 3], x: [1, 2, 3] })).toThrow(/expected scores for exactly the matrices \[m0, m1\], found missing \[m1\], unexpected \[x\]/);
    expect(() => allocator.step(1, scores([[1, 2, 3], [4, 5]]))).toThrow(/tripletScores\['m1'\]: expected initR = 3 scores \(one per triplet\), found 2/);
    expect(() => allocator.step(1)).toThrow(/expected triplet scores: this step masks from a fresh threshold/);
    expect(() => allocator.step(-1)).toThrow(/'step' = -1/);
  });

  it('PEFT replay refuses to run without a stored pattern instead of masking nothing', () => {
    const allocator = createRankAllocator({ initR: 3, targetR: 1, totalStep: 10, tfinal: 2, modules: ['m0'] });
    expect(() => allocator.step(9)).toThrow(/expected a rank pattern stored by step\(8\)/);
  });

  it('returns copies: mutating a returned keep does not change the stored pattern', () => {
    const allocator = createRankAllocator({ initR: 2, targetR: 1, totalStep: 4, tinit: 0, tfinal: 1, modules: ['m0'] });
    const forced = allocator.step(3, { m0: [5, 1] });
    (forced.keep?.m0 as boolean[])[0] = false;
    expect(allocator.step(4).keep).toEqual({ m0: [true, false] });
  });

  it('ignores scores at steps that need none (no mask in warm-up)', () => {
    const allocator = createRankAllocator({ initR: 2, targetR: 1, totalStep: 10, tinit: 3, modules: ['m0'] });
    expect(allocator.step(2, { m0: [Number.NaN, 1] })).toEqual({ budget: 2, threshold: null, keep: null, phase: 'warmup', maskSource: null });
  });
});

describe('restoreRankPattern (resume from a checkpoint)', () => {
  it('a fresh allocator given the pattern saved at t = 16 replays the golden PEFT final phase', () => {
    const steps = trajectory.peft.steps as GoldenStep[];
    const original = allocatorFor('peft');
    for (const g of steps.filter((s) => s.t <= 16)) original.step(g.t, g.triplet_scores ?? undefined);
    const resumed = allocatorFor('peft');
    resumed.restoreRankPattern(original.rankPattern());
    for (const g of steps.filter((s) => s.t > 16)) {
      const keep = resumed.step(g.t, g.triplet_scores ?? undefined).keep;
      expect(keep, `t=${g.t}`).toEqual(Object.fromEntries(Object.entries(g.E_after_allocate).map(([k, e]) => [k, e.map((x) => x !== 0)])));
    }
  });

  it('rejects a pattern of the wrong size, naming the matrix', () => {
    const allocator = allocatorFor('peft');
    const pattern = Object.fromEntries(eNames.map((n) => [n, Array(c.init_r).fill(true)]));
    pattern[eNames[1] as string] = [true];
    expect(() => allocator.restoreRankPattern(pattern)).toThrow(`bad or missing [${eNames[1]}]`);
  });
});
