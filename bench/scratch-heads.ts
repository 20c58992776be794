// Proxy (not committed): the head's optimisation settings, out-of-fold accuracy on the 446 articles.
import { join } from 'node:path';
import { readCorpus } from '../src/formats/corpus.js';
import { trainDetector } from '../src/train/train.js';
import { VectorFile } from '../src/train/vector-file.js';
import { TECHNIQUE_LABELS } from '../src/techniques/catalogue.js';
import { headTexts, SentenceEncoder, TextVectors } from '../src/features/sentence-encoder.js';
import { headInputs } from '../src/detect/sentence-head.js';
import { DEFAULT_HEAD_SETTINGS, trainSentenceHead, type HeadExample } from '../src/train/sentence-head.js';

const data = '../shared/data/ptc';
const train = await readCorpus(join(data, 'train'));
const dev = await readCorpus(join(data, 'dev'));
const corpus = { ...train, articles: [...train.articles, ...dev.articles], si: [...train.si!, ...dev.si!], tc: [...train.tc!, ...dev.tc!] };
const t0 = Date.now();
const fast = trainDetector({ corpus, clustersFile: 'models/word-clusters.bin' });
console.log('fast', (Date.now() - t0) / 1000);
const vectors = new TextVectors(SentenceEncoder.load(), new VectorFile('.cache/sentence-vectors.bin'));
const examples: HeadExample[] = [];
for (const a of fast.articles) {
  await vectors.ensure(a.tc.flatMap((s) => headTexts(a.ctx.doc, s)));
  const linear = fast.outOfFoldPredictions.techniques.get(a.id)!;
  a.tc.forEach((s, i) => examples.push({ raw: headInputs(headTexts(a.ctx.doc, s).map((t) => vectors.get(t))), linear: linear[i]!, label: TECHNIQUE_LABELS.indexOf(s.technique), fold: a.fold }));
}
const grid = JSON.parse(process.env.GRID ?? '[{}]') as object[];
const linearRight = examples.filter((e) => { const l = Array.from(e.linear); return l.indexOf(Math.max(...l)) === e.label; }).length;
console.log('linear', (linearRight / examples.length).toFixed(4));
for (const g of grid) {
  const t = Date.now();
  const head = trainSentenceHead(examples, TECHNIQUE_LABELS.length, { ...DEFAULT_HEAD_SETTINGS, ...g });
  const perFold = [0, 0, 0, 0, 0], n = [0, 0, 0, 0, 0];
  head.outOfFold.forEach((p, i) => { const e = examples[i]!; n[e.fold]!++; if (p.indexOf(Math.max(...p)) === e.label) perFold[e.fold]!++; });
  const right = perFold.reduce((a, b) => a + b, 0);
  console.log(JSON.stringify(g), 'epochs', head.epochs, 'acc', (right / examples.length).toFixed(4), perFold.map((r, f) => (r / n[f]!).toFixed(4)).join(' '), 'losses', head.losses.slice(0, 8).map((l) => l.toFixed(4)).join(' '), `${((Date.now() - t) / 1000).toFixed(0)} s`);
}
process.exit(0);
