import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixtureExpected, fixturePath } from '../__fixtures__/fixtures.js';
import { logBucketPosition, relativeIndex } from './relative-position.js';

interface Series { data: number[] }
const golden = JSON.parse(readFileSync(fixturePath('deberta_log_buckets.json'), 'utf8')) as Record<string, { relative_positions: Series; bucket: Series; c2p_index: Series }>;

describe('DeBERTa log buckets against transformers\' make_log_bucket_position', () => {
  it.each([
    ['bucket256_max512', 256, 512],
    ['bucket8_max32', 8, 32],
  ] as const)('%s: every bucket and clamped c2p index', (key, buckets, maxPosition) => {
    const g = golden[key]!;
    const span = buckets;
    const r = g.relative_positions.data;
    expect(r.map((x) => logBucketPosition(x, buckets, maxPosition))).toEqual(g.bucket.data);
    expect(r.map((x) => Math.min(Math.max(logBucketPosition(x, buckets, maxPosition) + span, 0), 2 * span - 1))).toEqual(g.c2p_index.data);
  });

  it('relativeIndex reproduces the recorded bucketed i − j of the 40-token fixture (k = 8, clamp active)', () => {
    const recorded = fixtureExpected('deberta-v3-tiny').relative_pos!;
    const s = { positionBuckets: 8, maxRelativePositions: 32, span: 8 };
    const { delta, lo, hi } = relativeIndex(40, s);
    expect([...delta]).toEqual(recorded.data.map((r) => Math.min(Math.max(r + 8, 0), 15)));
    expect([lo, hi]).toEqual([0, 15]);
  });

  it('without buckets uses raw i − j; rows used shrink to the needed range', () => {
    const { delta, lo, hi } = relativeIndex(3, { positionBuckets: -1, maxRelativePositions: 16, span: 16 });
    expect([...delta]).toEqual([16, 15, 14, 17, 16, 15, 18, 17, 16]);
    expect([lo, hi]).toEqual([14, 18]);
  });
});
