import { InvalidConfigError } from '@adalora/core';
import type { GlueExample } from './glue-configs.js';

/**
 * A small seeded pseudo-random generator (mulberry32: 32-bit state, period 2^32), so synthetic data is the
 * same on every machine and engine. Written here because it is five lines and must never change output
 * with a dependency upgrade.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Invented vocabulary: none of these is an English word, so nothing is copied from GLUE or SQuAD and a
// pretrained model gets no head start from its own knowledge.
const POSITIVE = ['glimmerous', 'brantic', 'zelvish', 'lumory', 'sprindle', 'quorvy', 'felicant', 'brisolent', 'vantish', 'jubrous', 'shimmle', 'thrivant'];
const NEGATIVE = ['grumpen', 'murkish', 'dravolent', 'sloggy', 'vexant', 'blighty', 'crunder', 'gloomic', 'festrous', 'wretchen', 'snarvy', 'dolent'];
const NEUTRAL = [
  'tob', 'mirra', 'kesh', 'ulo', 'pranda', 'vim', 'sorro', 'telk', 'nabe', 'quill', 'dorv', 'amble', 'fensh', 'gorrit', 'holm', 'ipsa',
  'jantle', 'kolby', 'larrow', 'mense', 'nurch', 'opal', 'pettle', 'rask', 'simber', 'tandry', 'uvel', 'wemble', 'yarth', 'zoff',
];
/** Words that only ever appear where sentence 2 departs from sentence 1 (pair tasks). */
const FOREIGN = ['xandor', 'qibble', 'yorrick', 'zunth', 'wivvel', 'krast', 'pluvic', 'troggle', 'vashti', 'fremble', 'gazzit', 'hunkle', 'jostra', 'miffle', 'norrow', 'skelv'];
const NAMES = ['Orlam', 'Bexa', 'Tirrin', 'Quella', 'Mavo', 'Dessa', 'Ruvik', 'Selk', 'Anwy', 'Prell', 'Haskel', 'Ivra'];
const VERBS = ['vorned', 'plinked', 'sashed', 'gromped', 'culked', 'mished', 'tranted', 'blived'];
const OBJECTS = ['flinn', 'zorb', 'parrow', 'dask', 'movet', 'brinnel', 'quosk', 'tavel', 'lummet', 'sprock', 'gindle', 'hopsy'];
const PLACES = ['Veldmoor', 'Ostrapa', 'Kelwyn', 'Drumsk', 'Pallith', 'Zarrow', 'Quenby', 'Marrish'];

/** Options of the synthetic generators: the seed and how many examples. */
export interface SynthOptions {
  /** Base seed (default 42); each task and split mixes in its own salt, so splits never share a stream. */
  readonly seed?: number;
  /** Number of examples (default: 2000 train, 200 validation, 200 test; synth-squad counts questions). */
  readonly size?: number;
}

/** The synthetic GLUE-format tasks. */
export type SynthGlueTask = 'synth-sst2' | 'synth-mrpc' | 'synth-stsb';
/** Splits every synthetic task has. */
export const SYNTH_SPLITS = ['train', 'validation', 'test'] as const;

const DEFAULT_SIZE: Record<string, number> = { train: 2000, validation: 200, test: 200 };

function streamFor(task: string, split: string, { seed = 42, size }: SynthOptions): { random: () => number; count: number } {
  if (!(SYNTH_SPLITS as readonly string[]).includes(split)) {
    throw new InvalidConfigError({ field: 'split', value: split, reason: `synthetic tasks have splits ${SYNTH_SPLITS.join(', ')}` });
  }
  const count = size ?? (DEFAULT_SIZE[split] as number);
  if (!Number.isInteger(count) || count < 1) throw new InvalidConfigError({ field: 'size', value: size, reason: 'must be a positive integer' });
  if (!Number.isInteger(seed)) throw new InvalidConfigError({ field: 'seed', value: seed, reason: 'must be an integer' });
  let salt = 2166136261;
  for (const ch of `${task}/${split}`) salt = Math.imul(salt ^ ch.charCodeAt(0), 16777619);
  return { random: seededRandom((seed ^ salt) >>> 0), count };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const int = (random: () => number, lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
function shuffle<T>(random: () => number, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
function distinct<T>(random: () => number, items: readonly T[], n: number): T[] {
  return shuffle(random, [...items]).slice(0, n);
}

/**
 * Rows of a synthetic GLUE-format task, deterministic from the seed, with labels a small model can learn:
 * - `synth-sst2` (`sentence`, 2 classes, 0 negative / 1 positive): neutral words plus sentiment words; the
 *   label's polarity always has strictly more sentiment words than the other.
 * - `synth-mrpc` (`sentence1`, `sentence2`, 2 classes, 0 not_equivalent / 1 equivalent): sentence 2 of an
 *   equivalent pair reorders sentence 1's content words; a non-equivalent one swaps 2–4 of them for
 *   "foreign" words that never occur in sentence 1 (learnable from overlap or from the foreign words).
 * - `synth-stsb` (`sentence1`, `sentence2`, score 0–5 as float32): sentence 1 has 5 content words,
 *   sentence 2 keeps k of them and adds 5 − k foreign words; the score is k.
 * Labels are present on every split (unlike GLUE's test splits), so all can be scored.
 */
export function synthGlueRows(task: SynthGlueTask, split: string, options: SynthOptions = {}): GlueExample[] {
  const { random, count } = streamFor(task, split, options);
  const rows: GlueExample[] = [];
  for (let idx = 0; idx < count; idx++) {
    if (task === 'synth-sst2') {
      const label = random() < 0.5 ? 0 : 1;
      const strong = int(random, 1, 3);
      const weak = int(random, 0, strong - 1);
      const [own, other] = label === 1 ? [POSITIVE, NEGATIVE] : [NEGATIVE, POSITIVE];
      const words = [
        ...Array.from({ length: int(random, 3, 9) }, () => pick(random, NEUTRAL)),
        ...Array.from({ length: strong }, () => pick(random, own)),
        ...Array.from({ length: weak }, () => pick(random, other)),
      ];
      rows.push({ sentence: `${shuffle(random, words).join(' ')} .`, label, idx });
    } else if (task === 'synth-mrpc') {
      const label = random() < 0.5 ? 0 : 1;
      const content = distinct(random, NEUTRAL, int(random, 5, 8));
      const second = [...content];
      if (label === 0) {
        const foreign = distinct(random, FOREIGN, int(random, 2, 4));
        foreign.forEach((word, k) => (second[k] = word));
      }
      rows.push({ sentence1: `${content.join(' ')} .`, sentence2: `${shuffle(random, second).join(' ')} .`, label, idx });
    } else {
      const content = distinct(random, NEUTRAL, 5);
      const kept = int(random, 0, 5);
      const second = [...distinct(random, content, kept), ...distinct(random, FOREIGN, 5 - kept)];
      rows.push({ sentence1: `${content.join(' ')} .`, sentence2: `${shuffle(random, second).join(' ')} .`, label: Math.fround(kept), idx });
    }
  }
  return rows;
}

/** A SQuAD v2.0 JSON document, the official files' shape. */
export interface SquadJsonDocument {
  readonly version: string;
  readonly data: ReadonlyArray<{
    readonly title: string;
    readonly paragraphs: ReadonlyArray<{
      readonly context: string;
      readonly qas: ReadonlyArray<{
        readonly id: string;
        readonly question: string;
        readonly answers: ReadonlyArray<{ readonly text: string; readonly answer_start: number }>;
        readonly is_impossible: boolean;
        readonly plausible_answers?: ReadonlyArray<{ readonly text: string; readonly answer_start: number }>;
      }>;
    }>;
  }>;
}

/**
 * `synth-squad`: extractive QA in the SQuAD v2.0 JSON shape, deterministic from the seed. Each paragraph
 * states 3–5 facts "<Name> <verb> the <object> at <Place>."; questions ask "Who <verb> the <object>?"
 * (answer: the name) or "Where was the <object> <verb>?" (answer: the place); about one in four asks about
 * an object the paragraph never mentions and is unanswerable (`is_impossible`, with a plausible answer).
 * `size` counts questions (default 2000/200/200).
 */
export function synthSquadJson(split: string, options: SynthOptions = {}): SquadJsonDocument {
  const { random, count } = streamFor('synth-squad', split, options);
  const data: Array<SquadJsonDocument['data'][number]> = [];
  let made = 0;
  let article = 0;
  while (made < count) {
    const paragraphs: Array<SquadJsonDocument['data'][number]['paragraphs'][number]> = [];
    for (let p = 0; p < 2 && made < count; p++) {
      const objects = distinct(random, OBJECTS, int(random, 3, 5));
      const facts = objects.map((object) => ({ name: pick(random, NAMES), verb: pick(random, VERBS), object, place: pick(random, PLACES) }));
      let context = '';
      const spans = facts.map((f) => {
        const start = context.length;
        context += `${f.name} ${f.verb} the ${f.object} at ${f.place}. `;
        return { name: start, place: start + `${f.name} ${f.verb} the ${f.object} at `.length };
      });
      context = context.trimEnd();
      const qas: Array<SquadJsonDocument['data'][number]['paragraphs'][number]['qas'][number]> = [];
      const unused = OBJECTS.filter((o) => !objects.includes(o));
      for (let q = 0; q < facts.length && made < count; q++, made++) {
        const id = `synth-squad-${split}-${String(made).padStart(6, '0')}`;
        const k = int(random, 0, facts.length - 1);
        const fact = facts[k] as (typeof facts)[number];
        const span = spans[k] as (typeof spans)[number];
        if (random() < 0.25) {
          qas.push({
            id,
            question: `Who ${fact.verb} the ${pick(random, unused)}?`,
            answers: [],
            is_impossible: true,
            plausible_answers: [{ text: fact.name, answer_start: span.name }],
          });
        } else if (random() < 0.5) {
          qas.push({ id, question: `Who ${fact.verb} the ${fact.object}?`, answers: [{ text: fact.name, answer_start: span.name }], is_impossible: false });
        } else {
          qas.push({ id, question: `Where was the ${fact.object} ${fact.verb}?`, answers: [{ text: fact.place, answer_start: span.place }], is_impossible: false });
        }
      }
      paragraphs.push({ context, qas });
    }
    data.push({ title: `Synth_${split}_${article++}`, paragraphs });
  }
  return { version: 'v2.0', data };
}
