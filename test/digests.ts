/**
 * Digests of the shipped models' analyses of the dev articles: one of the predictions
 * (spans, techniques, confidences, sentence and document scores) and one of the whole
 * analyses (with the cues; never the timing). behaviour.test.ts compares them with the
 * committed ones; scripts/pin-digests.ts writes them when a model or the cues change on
 * purpose.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { loadDetector } from '../src/analyze.js';
import { readCorpus } from '../src/formats/corpus.js';
import { FIXTURES, SHARED } from './helpers.js';

export const DEV = join(SHARED, 'data/ptc/dev');
export const DIGESTS = join(FIXTURES, 'prediction-digests.json');
export const PINNED_MODELS = ['sm', 'md', 'lg'] as const;

export type Digests = Record<string, { predictions: string; analyses: string }>;

async function digestsOf(model: string, texts: readonly string[]) {
  const detector = loadDetector(model);
  const predictions = createHash('sha256');
  const analyses = createHash('sha256');
  for (const text of texts) {
    const { timing: _timing, ...analysis } = await detector.analyze(text);
    analyses.update(JSON.stringify(analysis)).update('\n');
    const spans = analysis.spans.map(({ cues: _cues, ...span }) => span);
    predictions.update(JSON.stringify({ ...analysis, spans })).update('\n');
  }
  return { predictions: predictions.digest('hex'), analyses: analyses.digest('hex') };
}

/** The digests of every pinned model over the 75 dev articles. */
export async function devDigests(): Promise<Digests> {
  const texts = (await readCorpus(DEV)).articles.map((a) => a.text);
  if (texts.length !== 75)
    throw new Error(`expected 75 dev articles in ${DEV}, not ${texts.length}`);
  const digests: Digests = {};
  for (const model of PINNED_MODELS) digests[model] = await digestsOf(model, texts);
  return digests;
}
