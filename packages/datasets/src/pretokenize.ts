import { UnsupportedInputError } from '@adalora/core';
import { featurizeClassification } from './classification-features.js';
import type { ClassificationBatch, ClassificationFeatureOptions } from './classification-features.js';
import type { GlueExample } from './glue-configs.js';
import { featurizeQa, qaQuestionText } from './qa-features.js';
import type { QaFeature, QaFeatureOptions } from './qa-features.js';
import type { SquadExample } from './squad-examples.js';
import type { BatchTokenizer, TokenizedText, TokenizerAdapter } from './tokenizer.js';

/**
 * Tokenizes the given texts once (duplicates once) with an asynchronous batch tokenizer and returns a
 * synchronous `TokenizerAdapter` that answers from those results, so featurization stays synchronous. Asking
 * it for a text that was not given is an error quoting the text.
 */
export async function pretokenize(tokenizer: BatchTokenizer, texts: Iterable<string>): Promise<TokenizerAdapter> {
  const unique = [...new Set(texts)];
  const results = await tokenizer.tokenizeBatch(unique);
  if (results.length !== unique.length) {
    throw new UnsupportedInputError({ source: 'tokenizeBatch', expected: `${unique.length} results`, found: `${results.length}` });
  }
  const table = new Map<string, TokenizedText>(unique.map((text, i) => [text, results[i] as TokenizedText]));
  return {
    tokenize(text) {
      const found = table.get(text);
      if (found === undefined) {
        throw new UnsupportedInputError({ source: 'pretokenized tokenizer', expected: 'a text given to pretokenize', found: JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text) });
      }
      return found;
    },
    specialTokens: tokenizer.specialTokens,
    template: tokenizer.template,
    ...(tokenizer.modelMaxLength === undefined ? {} : { modelMaxLength: tokenizer.modelMaxLength }),
  };
}

/** `featurizeClassification` with an asynchronous batch tokenizer (tokenizes the batch's texts first). */
export async function featurizeClassificationAsync(
  rows: readonly GlueExample[],
  options: Omit<ClassificationFeatureOptions, 'tokenizer'> & { readonly tokenizer: BatchTokenizer },
): Promise<ClassificationBatch> {
  const texts = rows.flatMap((row) => options.task.textColumns.map((c) => row[c]).filter((v): v is string => typeof v === 'string'));
  return featurizeClassification(rows, { ...options, tokenizer: await pretokenize(options.tokenizer, texts) });
}

/** `featurizeQa` with an asynchronous batch tokenizer (tokenizes the questions and contexts first). */
export async function featurizeQaAsync(
  examples: readonly SquadExample[],
  options: Omit<QaFeatureOptions, 'tokenizer'> & { readonly tokenizer: BatchTokenizer },
): Promise<QaFeature[]> {
  const texts = examples.flatMap((e) => [qaQuestionText(e.question), e.context]);
  return featurizeQa(examples, { ...options, tokenizer: await pretokenize(options.tokenizer, texts) });
}
