// Proxy (not committed): does a token-level technique classifier add to the linear model and to the head?
import { join } from 'node:path';
import { readCorpus } from '../src/formats/corpus.js';
import { trainDetector, DEFAULT_TRAIN_SETTINGS } from '../src/train/train.js';
import { trainSentenceHeadDetector } from '../src/train/train-sentence-head.js';
import { VectorFile } from '../src/train/vector-file.js';
import { SparseRows } from '../src/features/sparse.js';
import { addTokenRows } from '../src/train/tagger-rows.js';
import { SoftmaxModel } from '../src/detect/linear.js';
import { trainSoftmax } from '../src/train/linear-training.js';
import { TECHNIQUE_LABELS } from '../src/techniques/catalogue.js';
import { tokensInSpan } from '../src/text/document.js';

const data = '../shared/data/ptc';
const train = await readCorpus(join(data, 'train'));
const dev = await readCorpus(join(data, 'dev'));
const corpus = { ...train, articles: [...train.articles, ...dev.articles], si: [...train.si!, ...dev.si!], tc: [...train.tc!, ...dev.tc!] };
const clustersFile = 'models/word-clusters.bin';
const t0 = Date.now();
const fast = trainDetector({ corpus, clustersFile });
console.log('fast', (Date.now() - t0) / 1000);
const vectorCache = new VectorFile('.cache/sentence-vectors.bin');
const head = await trainSentenceHeadDetector({ corpus, clustersFile, vectorCache }, fast);
console.log('head', (Date.now() - t0) / 1000);
const C = TECHNIQUE_LABELS.length;
const { articles } = fast;
const rowsOf = new Map<string, SparseRows>();
for (const a of articles) { const r = new SparseRows(); addTokenRows(a.ctx, r); rowsOf.set(a.id, r); }
const tokenProbs = new Map<string, Float64Array[]>();
const epochs = Number(process.env.EPOCHS ?? 3);
for (let k = 0; k < 5; k++) {
  const rows = new SparseRows();
  const labels: number[] = [];
  for (const a of articles.filter((x) => x.fold !== k)) {
    const r = rowsOf.get(a.id)!;
    for (const s of a.tc) {
      const [f, l] = tokensInSpan(a.ctx.doc, s);
      for (let i = f; i < l; i++) { rows.push(Array.from(r.row(i))); labels.push(TECHNIQUE_LABELS.indexOf(s.technique)); }
    }
  }
  const model = SoftmaxModel.create(C, 18);
  trainSoftmax(model, rows, Uint8Array.from(labels), { epochs, learningRate: 0.2, l2: 1e-5, seed: k + 1 });
  for (const a of articles.filter((x) => x.fold === k)) {
    const r = rowsOf.get(a.id)!;
    tokenProbs.set(a.id, a.tc.map((s) => {
      const [f, l] = tokensInSpan(a.ctx.doc, s);
      const logp = new Float64Array(C);
      const p = new Float64Array(C);
      for (let i = f; i < l; i++) { model.probabilities(r.row(i), p); for (let c = 0; c < C; c++) logp[c] += Math.log(p[c]! + 1e-9) / Math.max(1, l - f); }
      const m = Math.max(...logp); let z = 0; const q = logp.map((v) => { const e = Math.exp(v - m); z += e; return e; });
      return q.map((v) => v / z);
    }));
  }
  console.log('fold', k, (Date.now() - t0) / 1000);
}
const acc = (name: string, get: (id: string) => Float64Array[]) => {
  for (const w of [0, 0.25, 0.5, 0.75, 1]) {
    let right = 0, n = 0; const perFold = [0,0,0,0,0], nf=[0,0,0,0,0];
    for (const a of articles) {
      const P = get(a.id), T = tokenProbs.get(a.id)!;
      a.tc.forEach((s, i) => {
        const p = P[i]!.map((v, c) => Math.log(v + 1e-12) + w * Math.log(T[i]![c]! + 1e-12));
        const best = p.indexOf(Math.max(...p));
        const ok = best === TECHNIQUE_LABELS.indexOf(s.technique) ? 1 : 0;
        right += ok; n++; perFold[a.fold]! += ok; nf[a.fold]!++;
      });
    }
    console.log(name, w, (right / n).toFixed(4), perFold.map((r, f) => (r / nf[f]!).toFixed(4)).join(' '));
  }
};
acc('linear', (id) => fast.outOfFoldPredictions.techniques.get(id)!);
acc('head', (id) => head.outOfFoldPredictions.techniques.get(id)!);
acc('tokens-only-check', (id) => tokenProbs.get(id)!.map(() => new Float64Array(C).fill(1 / C)));
