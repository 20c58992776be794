/**
 * Accuracy of the shipped model on a labelled split with the official scorers (SI, TC on
 * the template, full task): the figures of its model card.
 *
 *   npm run bench:accuracy [-- --data ../shared/data/ptc/dev --model accurate]
 */
import { parseArgs } from 'node:util';
import { DEFAULT_MODEL_NAME, defaultCorpusDir } from '../src/config.js';
import { readCorpus } from '../src/formats/corpus.js';
import { loadDetector } from '../src/analyze.js';
import { evaluateDetector } from '../src/model/card.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: `${defaultCorpusDir()}/dev` },
    model: { type: 'string', default: DEFAULT_MODEL_NAME },
  },
});
const { metrics } = evaluateDetector(
  loadDetector(values.model),
  await readCorpus(values.data as string),
);
const f = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(4));
console.log(`${metrics.articles} articles of ${values.data}`);
console.log(
  `SI         P ${f(metrics.si.precision)}  R ${f(metrics.si.recall)}  F1 ${f(metrics.si.f1)}`,
);
console.log(
  `TC         micro-F1 ${f(metrics.tc?.microF1)} (official pairing), ${f(metrics.tcOrderFree?.microF1)} order-free, macro-F1 ${f(metrics.tc?.macroF1)}`,
);
console.log(
  `Full task  P ${f(metrics.full.micro.precision)}  R ${f(metrics.full.micro.recall)}  F1 ${f(metrics.full.micro.f1)}`,
);
console.log(
  `Calibration ECE: spans ${f(metrics.calibration.span.ece)}, techniques ${f(metrics.calibration.technique.ece)}`,
);
