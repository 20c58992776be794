/**
 * The detector: span tagger + technique classifier + calibration, loaded from one model
 * file. `analyze` is the one function that the CLI, the HTTP API and workers call.
 */
import { join } from 'node:path';
import { DEFAULT_MODEL_NAME, PACKAGE_ROOT } from '../config.js';
import { TECHNIQUES, TECHNIQUE_LABELS, type TechniqueLabel } from '../techniques/catalogue.js';
import { parseArticle, type ArticleDocument, type TextSpan, type Token } from '../text/document.js';
import { validateText, type TextLimits } from '../text/validate.js';
import type { Analysis, Cue, DetectedSpan, SentenceScore } from './analysis.js';
import { applyPlatt, type Platt } from './calibration.js';
import { decodeClusters, type WordClusters } from '../features/clusters.js';
import { WordVectors } from '../features/vectors.js';
import { articleContext, lowerBound, type ArticleContext } from '../features/context.js';
import { LogisticModel, SoftmaxModel } from './linear.js';
import {
  decodeModel,
  encodeModel,
  MODEL_FORMAT,
  readModelFile,
  readSideFile,
} from '../formats/model-file.js';
import { NeuralStack, type NeuralHeader } from './neural/neural-stack.js';
import { SentenceHead } from './sentence-head.js';
import { tokenTechniqueProbabilities } from './token-techniques.js';
import { explainSpan } from './cues.js';
import { fuse, SentenceScorer } from './sentence-scorer.js';
import {
  SentenceEncoder,
  headTexts,
  TextVectors,
  type VectorCache,
} from '../features/sentence-encoder.js';
import { spanContexts } from '../features/span-rows.js';
import {
  chooseTechniques,
  decideTechniques,
  techniqueProbabilities,
  type ClassifierDecoding,
} from './technique-decision.js';
import {
  findTokenSpans,
  tokenProbabilities,
  type SpanDecoding,
  type TokenSpan,
} from './span-tagger.js';

export { DEFAULT_MODEL_NAME, type SpanDecoding };

export function defaultModelPath(name = DEFAULT_MODEL_NAME): string {
  return join(PACKAGE_ROOT, 'models', name, 'model.bin');
}

export interface ModelHeader {
  format: number;
  name: string;
  version: string;
  createdAt: string;
  training: {
    corpus: string;
    split: string;
    articles: number;
    seed: number;
    folds: number;
    seconds: number;
    /** The floor of each technique's out-of-fold predicted share (TrainSettings; absent: 0). */
    minPredictedShare?: number;
  };
  clusters: { file: string; sha256: string };
  tagger: { bits: number; bias: number; decoding: SpanDecoding };
  classifier: ClassifierDecoding & { bits: number; biases: number[]; secondLabelThreshold: number };
  calibration: { span: Platt; technique: Platt };
  /** The accurate model's neural layer (absent in the fast model). */
  neural?: NeuralHeader;
  /** The technique head over sentence vectors (absent: the linear or neural classifier decides). */
  sentenceHead?: {
    encoder: string;
    epochs: number;
    hidden?: number;
    /** Tokens each side of the span whose text is a third input (absent: span and sentence). */
    contextWords?: number;
    /**
     * The token-level technique classifier beside the head: its weight slots (2^bits), and
     * the power of its probabilities, by which the head's are multiplied (absent: none).
     */
    tokenTechniques?: { bits: number; weight: number };
    /**
     * The neural classifier's weight beside the head: probabilities ∝ head × neural^weight
     * (absent or 0: the head alone).
     */
    neuralWeight?: number;
  };
  /**
   * The sentence scorer whose probabilities move the tagger's (`fuse`): the weight of the
   * sentence's log-odds, and the sentence probability that moves nothing (absent: none).
   */
  sentenceScorer?: { encoder: string; weight: number; centre: number };
}

export interface AnalyzeOptions extends TextLimits {
  /** Drop techniques (and spans left without one) below this confidence; 0 by default. */
  threshold?: number;
  /** Add the cues behind each span (default true). */
  explain?: boolean;
}

/** A span the detector found, before the analysis is assembled. */
export interface FoundSpan extends TextSpan {
  tokenStart: number;
  tokenEnd: number;
  /** Mean token probability. */
  score: number;
  /** Calibrated probability that it is propaganda. */
  confidence: number;
  /** Technique probabilities (after class offsets), by index in TECHNIQUE_LABELS. */
  probabilities: Float64Array;
}

export class Detector {
  /** The linear tagger's probabilities of each article, which the neural layer reads twice. */
  private readonly linearTokens = new WeakMap<ArticleContext, Float32Array>();
  /** The sentence vectors of each article's spans, encoded by `prepare`. */
  private readonly vectors = new WeakMap<ArticleContext, TextVectors>();
  /** Where vectors encoded before are found (training keeps them in a file). */
  vectorCache?: VectorCache;

  constructor(
    readonly header: ModelHeader,
    readonly tagger: LogisticModel,
    readonly classifier: SoftmaxModel,
    readonly clusters: WordClusters,
    readonly neural?: NeuralStack,
    readonly sentenceHead?: SentenceHead,
    readonly sentenceScorer?: SentenceScorer,
  ) {}

  /** A copy with some parts replaced; the vector cache goes along. */
  with(parts: {
    header?: ModelHeader;
    neural?: NeuralStack;
    sentenceHead?: SentenceHead;
    sentenceScorer?: SentenceScorer;
  }): Detector {
    const detector = new Detector(
      parts.header ?? this.header,
      this.tagger,
      this.classifier,
      this.clusters,
      parts.neural ?? this.neural,
      parts.sentenceHead ?? this.sentenceHead,
      parts.sentenceScorer ?? this.sentenceScorer,
    );
    detector.vectorCache = this.vectorCache;
    return detector;
  }

  /** Load a model file; its word clusters are read from the same folder or the one above. */
  static load(path = defaultModelPath()): Detector {
    return Detector.fromBytes(readModelFile(path), path);
  }

  /** A model from its file's bytes; `path` locates the word clusters and names errors. */
  static fromBytes(bytes: Buffer, path: string): Detector {
    const { header, tensors } = decodeModel<ModelHeader>(bytes, path);
    const clusterBytes = readSideFile(path, header.clusters, 'word clusters');
    const neural = header.neural
      ? NeuralStack.fromTensors(
          header.neural,
          tensors,
          WordVectors.decode(
            readSideFile(path, header.neural.vectors, 'word vectors'),
            header.neural.vectors.file,
          ),
        )
      : undefined;
    const tagger = new LogisticModel(tensors.get('tagger') as Float32Array, header.tagger.bias);
    const classifier = SoftmaxModel.fromClassMajor(
      TECHNIQUE_LABELS.length,
      tensors.get('classifier') as Float32Array,
      Float32Array.from(header.classifier.biases),
    );
    return new Detector(
      header,
      tagger,
      classifier,
      decodeClusters(clusterBytes, header.clusters.file),
      neural,
      header.sentenceHead &&
        SentenceHead.fromTensors(TECHNIQUE_LABELS.length, tensors, header.sentenceHead),
      header.sentenceScorer && SentenceScorer.fromTensors(tensors),
    );
  }

  /** The model file's bytes. */
  encode(): Buffer {
    const header: ModelHeader = {
      ...this.header,
      format: MODEL_FORMAT,
      tagger: { ...this.header.tagger, bias: this.tagger.bias },
      classifier: { ...this.header.classifier, biases: Array.from(this.classifier.biases) },
    };
    return encodeModel(
      header,
      new Map([
        ['tagger', this.tagger.weights],
        ['classifier', this.classifier.classMajorWeights()],
        ...(this.neural?.tensors() ?? []),
        ...(this.sentenceHead?.tensors() ?? []),
        ...(this.sentenceScorer?.tensors() ?? []),
      ]),
    );
  }

  context(doc: ArticleDocument): ArticleContext {
    return articleContext(doc, this.clusters);
  }

  /** P(inside a span) of every token; a model with the sentence scorer needs `prepare` first. */
  tokenProbabilities(ctx: ArticleContext): Float32Array {
    const linear = this.linearTokenProbabilities(ctx);
    const tagged = this.neural ? this.neural.tokenProbabilities(ctx, linear) : linear;
    return this.withSentenceScores(ctx, tagged);
  }

  /** Token probabilities moved toward their sentence's (when the model has the scorer). */
  withSentenceScores(ctx: ArticleContext, tokens: Float32Array): Float32Array {
    const scorer = this.sentenceScorer;
    const fusion = this.header.sentenceScorer;
    if (!scorer || !fusion) return tokens;
    const vectors = this.preparedVectors(ctx);
    const sentences = ctx.doc.sentences.map((s) => scorer.probability(vectors.get(s.text)));
    return fuse(
      tokens,
      (i) => (ctx.doc.tokens[i] as Token).sentence,
      sentences,
      fusion.weight,
      fusion.centre,
    );
  }

  private preparedVectors(ctx: ArticleContext): TextVectors {
    const vectors = this.vectors.get(ctx);
    if (!vectors) throw new Error('prepare the article first (its sentence vectors are read)');
    return vectors;
  }

  private linearTokenProbabilities(ctx: ArticleContext): Float32Array {
    let probs = this.linearTokens.get(ctx);
    if (!probs) this.linearTokens.set(ctx, (probs = tokenProbabilities(this.tagger, ctx)));
    return probs;
  }

  /** The spans of an article (SI), with their calibrated confidence. */
  findSpans(ctx: ArticleContext, probs = this.tokenProbabilities(ctx)): TokenSpan[] {
    return findTokenSpans(ctx.doc, probs, this.header.tagger.decoding);
  }

  /** Start what the first analysis would wait for: the sentence encoder's threads. */
  async warmUp(): Promise<void> {
    if (this.sentenceHead || this.sentenceScorer) await SentenceEncoder.load().warmUp();
  }

  /**
   * Encode what the sentence head will read of these spans (their texts and sentences);
   * `classify` needs it first. Nothing to do for a model without the head.
   */
  async prepare(ctx: ArticleContext, spans: readonly TextSpan[] = []): Promise<void> {
    if (!this.sentenceHead && !this.sentenceScorer) return;
    const texts = [
      ...(this.sentenceScorer ? ctx.doc.sentences.map((s) => s.text) : []),
      ...(this.sentenceHead
        ? spans.flatMap((span) => headTexts(ctx.doc, span, this.header.sentenceHead?.contextWords))
        : []),
    ];
    // Even with no texts: `classify` of no spans reads the (empty) vectors of a prepared article.
    let vectors = this.vectors.get(ctx);
    if (!vectors) {
      vectors = new TextVectors(SentenceEncoder.load(), this.vectorCache);
      this.vectors.set(ctx, vectors);
    }
    await vectors.ensure(texts);
  }

  /** Technique probabilities for given spans (TC); a model with the sentence head needs `prepare`. */
  classify(ctx: ArticleContext, spans: readonly TextSpan[]): Float64Array[] {
    const { neural, sentenceHead } = this;
    if (!neural && !sentenceHead)
      return techniqueProbabilities(this.classifier, ctx, spans, this.header.classifier);
    return techniqueProbabilities(this.classifier, ctx, spans, this.header.classifier, (linear) => {
      if (!sentenceHead)
        return neural!.techniqueProbabilities(ctx, spans, linear, () =>
          this.linearTokenProbabilities(ctx),
        );
      // The head reads the linear probabilities: it learnt from them, out of fold.
      const vectors = this.preparedVectors(ctx);
      const head = spans.map((span, i) => {
        const texts = headTexts(ctx.doc, span, this.header.sentenceHead?.contextWords);
        const x = sentenceHead.inputs(texts.map((text) => vectors.get(text)));
        return sentenceHead.probabilities(x, linear[i] as Float64Array);
      });
      const tokens = this.header.sentenceHead?.tokenTechniques;
      const first =
        sentenceHead.tokenTechniques && tokens?.weight
          ? tokenTechniqueProbabilities(sentenceHead.tokenTechniques, ctx, spans).map((q, i) =>
              mixProbabilities(head[i] as Float64Array, q, tokens.weight),
            )
          : head;
      const weight = this.header.sentenceHead?.neuralWeight ?? 0;
      if (weight === 0 || !neural?.classifier) return first;
      const second = neural.techniqueProbabilities(ctx, spans, linear, () =>
        this.linearTokenProbabilities(ctx),
      );
      return first.map((p, i) => mixProbabilities(p, second[i] as Float64Array, weight));
    });
  }

  /** Spans with techniques (the full task). */
  async detect(ctx: ArticleContext): Promise<FoundSpan[]> {
    await this.prepare(ctx);
    const tokenSpans = this.findSpans(ctx);
    const spans = tokenSpans.map((s) => toTextSpan(ctx.doc, s));
    await this.prepare(ctx, spans);
    const probabilities = this.classify(ctx, spans);
    return tokenSpans.map((s, i) => ({
      ...(spans[i] as TextSpan),
      tokenStart: s.tokenStart,
      tokenEnd: s.tokenEnd,
      score: s.score,
      confidence: applyPlatt(this.header.calibration.span, s.score),
      probabilities: probabilities[i] as Float64Array,
    }));
  }

  /** The techniques a span gets: the best one, and the second one when it is likely too. */
  chosenTechniques(probabilities: Float64Array): number[] {
    return chooseTechniques(probabilities, this.header.classifier.secondLabelThreshold);
  }

  /** The chosen techniques of a found span with their calibrated confidence (at or above `threshold`). */
  techniquesOf(span: FoundSpan, threshold = 0): { index: number; confidence: number }[] {
    return decideTechniques(
      span.confidence,
      span.probabilities,
      {
        secondLabelThreshold: this.header.classifier.secondLabelThreshold,
        calibration: this.header.calibration.technique,
      },
      threshold,
    );
  }

  async analyze(text: string, options: AnalyzeOptions = {}): Promise<Analysis> {
    const started = performance.now();
    validateText(text, options);
    const doc = parseArticle(text);
    const ctx = this.context(doc);
    const threshold = options.threshold ?? 0;
    const found = await this.detect(ctx);
    const spans: DetectedSpan[] = [];
    for (const span of found) {
      const techniques = this.techniquesOf(span, threshold).map((t) => {
        const technique = TECHNIQUES[t.index]!;
        return {
          technique: technique.label,
          id: technique.id,
          name: technique.name,
          confidence: round(t.confidence),
        };
      });
      if (techniques.length === 0) continue;
      spans.push({
        start: span.cpStart,
        end: span.cpEnd,
        text: doc.offsets.slice(span.cpStart, span.cpEnd),
        confidence: round(span.confidence),
        techniques,
        cues:
          options.explain === false
            ? []
            : this.cues(ctx, span, TECHNIQUE_LABELS.indexOf(techniques[0]!.technique)),
      });
    }
    const sentences = sentenceScores(doc, spans);
    return {
      offsetUnit: 'codepoint',
      model: { name: this.header.name, version: this.header.version },
      length: doc.length,
      title: doc.title?.text,
      spans,
      sentences,
      document: documentScore(doc, spans, sentences),
      timing: { milliseconds: round(performance.now() - started, 2) },
    };
  }

  /** The cues behind a span's technique, in plain words (detect/cues.ts). */
  cues(ctx: ArticleContext, span: FoundSpan, technique: number): Cue[] {
    const [context] = spanContexts(ctx, [span]);
    return explainSpan(
      {
        tagger: this.tagger,
        classifier: this.classifier,
        features: this.header.classifier.features,
      },
      ctx,
      span,
      context!,
      technique,
    );
  }
}

/** Probabilities ∝ p × q^weight, normalised: two classifiers' product, the second weighted. */
export function mixProbabilities(p: Float64Array, q: Float64Array, weight: number): Float64Array {
  const mixed = p.map((v, c) => v * Math.max(q[c] as number, 1e-9) ** weight);
  const sum = mixed.reduce((a, b) => a + b, 0) || 1;
  return mixed.map((v) => v / sum);
}

export function toTextSpan(doc: ArticleDocument, span: TokenSpan): TextSpan {
  return {
    cpStart: (doc.tokens[span.tokenStart] as Token).cpStart,
    cpEnd: (doc.tokens[span.tokenEnd - 1] as Token).cpEnd,
  };
}

/**
 * Each sentence's score: the share of its characters inside highlighted phrases, each
 * weighted by its phrase's confidence (that of its first technique), at most 1. A sentence
 * that is one confident phrase scores high; a single word in a long sentence scores low.
 */
export function sentenceScores(
  doc: ArticleDocument,
  spans: readonly DetectedSpan[],
): SentenceScore[] {
  // Sentences are in order and disjoint: each span finds its first sentence by binary search
  // and walks on while they overlap, so a huge article costs its spans, not spans × sentences.
  const ends = doc.sentences.map((s) => s.cpEnd);
  const counts = new Array<number>(doc.sentences.length).fill(0);
  const weighted = new Array<number>(doc.sentences.length).fill(0);
  for (const span of spans) {
    const confidence = span.techniques[0]?.confidence ?? 0;
    for (
      let k = lowerBound(ends, span.start + 1);
      k < doc.sentences.length && doc.sentences[k]!.cpStart < span.end;
      k++
    ) {
      const sentence = doc.sentences[k]!;
      const overlap = Math.min(span.end, sentence.cpEnd) - Math.max(span.start, sentence.cpStart);
      counts[k]!++;
      weighted[k]! += (confidence * overlap) / Math.max(1, sentence.cpEnd - sentence.cpStart);
    }
  }
  return doc.sentences.map((sentence, k) => ({
    index: sentence.index,
    start: sentence.cpStart,
    end: sentence.cpEnd,
    text: sentence.text,
    score: round(Math.min(1, weighted[k] as number)),
    spans: counts[k] as number,
  }));
}

function documentScore(
  doc: ArticleDocument,
  spans: readonly DetectedSpan[],
  sentences: readonly SentenceScore[],
): Analysis['document'] {
  const techniqueCounts = Object.fromEntries(TECHNIQUE_LABELS.map((l) => [l, 0])) as Record<
    TechniqueLabel,
    number
  >;
  for (const span of spans) for (const t of span.techniques) techniqueCounts[t.technique]++;
  const words = doc.tokens.filter((t) => t.type === 'word').length;
  const score =
    sentences.length === 0 ? 0 : sentences.reduce((sum, s) => sum + s.score, 0) / sentences.length;
  return {
    score: round(score),
    spans: spans.length,
    words,
    density: round(words === 0 ? 0 : (100 * spans.length) / words, 2),
    techniqueCounts,
  };
}

function round(value: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
