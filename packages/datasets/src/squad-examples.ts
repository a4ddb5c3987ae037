import { codePointIndex, codePointLength } from './code-points.js';
import type { WarningSink } from './warnings.js';

/**
 * One SQuAD question as HF's loader yields it (and as the hub parquet stores it): `answers` holds parallel
 * lists; an unanswerable v2.0 question has both empty. `answer_start` counts Unicode code points into
 * `context` (Python string indexing), not UTF-16 units.
 */
export interface SquadExample {
  readonly id: string;
  readonly title: string;
  readonly context: string;
  readonly question: string;
  readonly answers: { readonly text: readonly string[]; readonly answer_start: readonly number[] };
}

/**
 * Reports (one warning per file, listing the ids) answers whose `answer_start` does not point at their text:
 * `context[start : start + len(text)] != text` in code points. The official loaders keep such answers, and
 * so does this package, but training labels built from them would be wrong.
 */
export function createAnswerChecker(source: string, onWarning: WarningSink): { check(example: SquadExample): void; finish(): void } {
  const bad: string[] = [];
  let lastContext = '';
  let index = codePointIndex('');
  return {
    check(example) {
      if (example.context !== lastContext) {
        lastContext = example.context;
        index = codePointIndex(example.context);
      }
      example.answers.text.forEach((text, k) => {
        const start = example.answers.answer_start[k];
        if (start === undefined || index.slice(start, start + codePointLength(text)) !== text) bad.push(`${example.id} (answer ${k})`);
      });
    },
    finish() {
      if (bad.length === 0) return;
      onWarning({
        code: 'answer-start-mismatch',
        source,
        message: `${bad.length} answer(s) whose answer_start does not point at their text in the context (kept as the official loader does; their training labels will be off): ${bad.slice(0, 10).join(', ')}${bad.length > 10 ? ', …' : ''}`,
        ids: bad,
      });
    },
  };
}
