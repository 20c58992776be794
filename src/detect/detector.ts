/**
 * The detector: a model's stages (detect/stages/), loaded from one model file, and the
 * decisions over their output. `analyze` is the one function that the CLI, the HTTP API and
 * workers call. Each method prepares what its stages read (sentence vectors) itself.
 */
import { DEFAULT_MODEL_NAME, modelName } from '../model-names.js';
import { TECHNIQUES, TECHNIQUE_LABELS, type TechniqueLabel } from '../techniques/catalogue.js';
import { parseArticle, type ArticleDocument, type TextSpan, type Token } from '../text/document.js';
import { validateText, type TextLimits } from '../text/validate.js';
import type { Analysis, Cue, DetectedSpan, SentenceScore } from './analysis.js';
import { applyPlatt } from './calibration.js';
import { decodeClusters, type WordClusters } from '../features/clusters.js';
import { articleContext, lowerBound, type ArticleContext } from '../features/context.js';
import { SentenceEncoder, type Embedder } from '../features/sentence-encoder.js';
import type { SideFiles, StoredModel } from '../formats/model-container.js';
import {
  decodeModel,
  decodeModelHeader,
  defaultModelPath,
  readModelFile,
  readSideFile,
} from '../formats/model-file.js';
import { labelDecisionOf, stageNames, type ModelHeader } from './model-header.js';
import { ArticleRun, type Pipeline, type Stage } from './stage.js';
import { loadStages } from './stages/index.js';
import { adjustTechniques, decideTechniques } from './technique-decision.js';
import { findTokenSpans, type SpanDecoding, type TokenSpan } from './span-tagger.js';
import { WARM_UP_ARTICLES } from './warm-up.js';

export { DEFAULT_MODEL_NAME, defaultModelPath, type ModelHeader, type SpanDecoding };

export interface AnalyzeOptions extends TextLimits {
  /**
   * Drop techniques (and spans left without one) below this confidence; 0 by default. The
   * sentence and document scores read every phrase whatever the threshold.
   */
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
  /** Technique probabilities (after the class bias), by index in TECHNIQUE_LABELS. */
  probabilities: Float64Array;
}

export interface LoadOptions {
  /** How texts become sentence vectors (default: the sentence encoder). */
  embedder?: Embedder;
}

/**
 * Passes over the warm-up articles: on the 75 dev articles, `predict` on 2 threads ran `sm` at
 * 107, 132, 176 and 166 articles/s after 2, 6, 20 and 40 passes (`md` 81, 83, 91–101, 113; `lg`
 * 48, 53, 56, 54). A slow machine stops after WARM_UP_MS.
 */
const WARM_UP_PASSES = 20;
const WARM_UP_MS = 3000;

export class Detector {
  private readonly pipeline: Pipeline;
  /** Each article's run through the stages: what one call computed, the next reuses. */
  private readonly runs = new WeakMap<ArticleContext, ArticleRun>();

  constructor(
    readonly header: ModelHeader,
    stages: readonly Stage[],
    clusters: WordClusters,
    options: LoadOptions = {},
  ) {
    this.pipeline = { stages, clusters, embedder: options.embedder };
  }

  /** Load a model file; its word clusters are read from the same folder or the one above. */
  static load(path = defaultModelPath(), options?: LoadOptions): Detector {
    return Detector.fromBytes(readModelFile(path), path, options);
  }

  /** A model file's header, without its weights (what a process that does not analyse needs). */
  static readHeader(path: string): ModelHeader {
    return withCurrentName(decodeModelHeader<ModelHeader>(readModelFile(path), path));
  }

  /** A model from its file's bytes; `path` locates its side files and names errors. */
  static fromBytes(bytes: Uint8Array, path: string, options?: LoadOptions): Detector {
    const sideFile: SideFiles = (expected, what) => readSideFile(path, expected, what);
    return Detector.fromModel(decodeModel<ModelHeader>(bytes, path), sideFile, path, options);
  }

  /**
   * A model from its decoded file and its side files, read by the platform: from disk
   * (`fromBytes`) or from URLs (browser/load-model.ts). `source` names errors.
   */
  static fromModel(
    { header, tensors }: StoredModel<ModelHeader>,
    sideFile: SideFiles,
    source: string,
    options?: LoadOptions,
  ): Detector {
    withCurrentName(header);
    const clusters = decodeClusters(
      sideFile(header.clusters, 'word clusters'),
      header.clusters.file,
    );
    const stages = loadStages(stageNames(header), { header, tensors, sideFile }, source);
    return new Detector(header, stages, clusters, options);
  }

  context(doc: ArticleDocument): ArticleContext {
    return articleContext(doc, this.pipeline.clusters);
  }

  private run(ctx: ArticleContext): ArticleRun {
    let run = this.runs.get(ctx);
    if (!run) this.runs.set(ctx, (run = new ArticleRun(ctx, this.pipeline)));
    return run;
  }

  /**
   * Start what the first analyses would wait for: the sentence encoder's threads, the
   * JavaScript engine's optimised code for every stage, and the per-word caches, through
   * passes over invented articles of several kinds (warm-up.ts), so that a fresh thread's
   * first articles run at full speed.
   */
  async warmUp(): Promise<void> {
    if (this.pipeline.stages.some((s) => s.texts) && !this.pipeline.embedder)
      await SentenceEncoder.load().warmUp();
    const started = performance.now();
    for (let pass = 0; pass < WARM_UP_PASSES; pass++) {
      if (pass >= 2 && performance.now() - started > WARM_UP_MS) break;
      for (const article of WARM_UP_ARTICLES) await this.analyze(article);
    }
  }

  /** The spans of an article (SI), by token, with their mean token probability. */
  async findSpans(ctx: ArticleContext): Promise<TokenSpan[]> {
    const run = this.run(ctx);
    await run.prepareTokens();
    return findTokenSpans(ctx.doc, run.tokenProbabilities(), this.header.tagger.decoding);
  }

  /** Technique probabilities of given spans (TC), after the class bias and Repetition rules. */
  async classify(ctx: ArticleContext, spans: readonly TextSpan[]): Promise<Float64Array[]> {
    const run = this.run(ctx);
    await run.prepareTechniques(spans);
    const probabilities = await run.techniqueProbabilities(spans);
    const { classifier } = this.header;
    return adjustTechniques(ctx, spans, probabilities, classifier, run.spanContexts(spans));
  }

  /** Spans with techniques (the full task). */
  async detect(ctx: ArticleContext): Promise<FoundSpan[]> {
    const tokenSpans = await this.findSpans(ctx);
    const spans = tokenSpans.map((s) => toTextSpan(ctx.doc, s));
    const probabilities = await this.classify(ctx, spans);
    return tokenSpans.map((s, i) => ({
      ...(spans[i] as TextSpan),
      tokenStart: s.tokenStart,
      tokenEnd: s.tokenEnd,
      score: s.score,
      confidence: applyPlatt(this.header.calibration.span, s.score),
      probabilities: probabilities[i] as Float64Array,
    }));
  }

  /** A found span's chosen techniques with their calibrated confidence, at least `minConfidence`. */
  techniquesOf(span: FoundSpan, minConfidence = 0): { index: number; confidence: number }[] {
    const decision = labelDecisionOf(this.header);
    return decideTechniques(span.confidence, span.probabilities, decision, minConfidence);
  }

  async analyze(text: string, options: AnalyzeOptions = {}): Promise<Analysis> {
    const started = performance.now();
    validateText(text, options);
    const doc = parseArticle(text);
    const ctx = this.context(doc);
    const found = await this.detect(ctx);
    const threshold = options.threshold ?? 0;
    const spans: DetectedSpan[] = [];
    for (const span of found) {
      const techniques = this.techniquesOf(span).map((t) => {
        const technique = TECHNIQUES[t.index]!;
        return {
          technique: technique.label,
          id: technique.id,
          name: technique.name,
          confidence: round(t.confidence),
        };
      });
      if (techniques.length === 0) continue;
      // Cues only for the phrases shown; the hidden ones still count in the scores.
      const shown = techniques.some((t) => t.confidence >= threshold);
      spans.push({
        start: span.cpStart,
        end: span.cpEnd,
        text: doc.offsets.slice(span.cpStart, span.cpEnd),
        confidence: round(span.confidence),
        techniques,
        cues:
          options.explain === false || !shown
            ? []
            : this.cues(ctx, span, TECHNIQUE_LABELS.indexOf(techniques[0]!.technique)),
      });
    }
    // The scores read every phrase: the threshold hides phrases, it never changes a score.
    const sentences = sentenceScores(doc, spans);
    const document = documentScore(doc, spans, sentences);
    return {
      offsetUnit: 'codepoint',
      model: { name: this.header.name, version: this.header.version },
      length: doc.length,
      title: doc.title?.text,
      spans: threshold > 0 ? shownAt(spans, threshold) : spans,
      sentences,
      document,
      timing: { milliseconds: round(performance.now() - started, 2) },
    };
  }

  /** The cues behind a span's technique, in plain words, from the stage that explains. */
  private cues(ctx: ArticleContext, span: FoundSpan, technique: number): Cue[] {
    const run = this.run(ctx);
    return run.explainer()?.cues?.(run, span, technique) ?? [];
  }
}

/** The shipped files' headers keep their former names (`fast`, `accurate`). */
function withCurrentName(header: ModelHeader): ModelHeader {
  header.name = modelName(header.name);
  return header;
}

/** The spans with their techniques at or above `threshold`, those left without one dropped. */
function shownAt(spans: readonly DetectedSpan[], threshold: number): DetectedSpan[] {
  return spans.flatMap((span) => {
    const techniques = span.techniques.filter((t) => t.confidence >= threshold);
    return techniques.length === 0 ? [] : [{ ...span, techniques }];
  });
}

export function toTextSpan(doc: ArticleDocument, span: TokenSpan): TextSpan {
  return {
    cpStart: (doc.tokens[span.tokenStart] as Token).cpStart,
    cpEnd: (doc.tokens[span.tokenEnd - 1] as Token).cpEnd,
  };
}

/**
 * Each sentence's score: how likely it holds at least one phrase annotators would give a
 * technique, from the confidences of the phrases that touch it (that of each phrase's first
 * technique) taken as independent: 1 − Π(1 − confidence). One loaded word counts as much
 * in a long sentence as in a short one.
 */
export function sentenceScores(
  doc: ArticleDocument,
  spans: readonly DetectedSpan[],
): SentenceScore[] {
  // Sentences are in order and disjoint: each span finds its first sentence by binary search
  // and walks on while they overlap, so a huge article costs its spans, not spans × sentences.
  const ends = doc.sentences.map((s) => s.cpEnd);
  const counts = new Array<number>(doc.sentences.length).fill(0);
  const clean = new Array<number>(doc.sentences.length).fill(1);
  for (const span of spans) {
    const confidence = span.techniques[0]?.confidence ?? 0;
    for (
      let k = lowerBound(ends, span.start + 1);
      k < doc.sentences.length && doc.sentences[k]!.cpStart < span.end;
      k++
    ) {
      counts[k]!++;
      clean[k]! *= 1 - confidence;
    }
  }
  return doc.sentences.map((sentence, k) => ({
    index: sentence.index,
    start: sentence.cpStart,
    end: sentence.cpEnd,
    text: sentence.text,
    score: round(1 - (clean[k] as number)),
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
