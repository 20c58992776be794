/**
 * A model is a list of stages (detect/stages/, one file each), applied in order. Token
 * stages give each token its probability of lying inside a span, each stage from the
 * probabilities of the token stages before it; technique stages give spans their technique
 * probabilities, each from those of the technique stages before it (technique-decision.ts
 * then adjusts and chooses). A stage says which texts' sentence vectors it reads, so that
 * they are encoded before it runs.
 */
import type { WordClusters } from '../features/clusters.js';
import type { SideFiles } from '../formats/model-container.js';
import type { ArticleContext } from '../features/context.js';
import { SentenceEncoder, TextVectors, type Embedder } from '../features/sentence-encoder.js';
import { spanContexts } from '../features/span-rows.js';
import type { SpanContext } from '../features/span-features.js';
import type { ArticleDocument, TextSpan } from '../text/document.js';
import type { Cue } from './analysis.js';
import type { PhraseSpan } from './cues.js';
import type { ModelHeader } from './model-header.js';

export interface TokenStage {
  readonly kind: 'token';
  /** The texts whose sentence vectors it reads (none when absent). */
  texts?(doc: ArticleDocument): string[];
  /** `before`: the previous token stage's probabilities (undefined for the first stage). */
  tokenProbabilities(
    article: ArticleRun,
    before: Float32Array | undefined,
  ): Float32Array | Promise<Float32Array>;
}

export interface TechniqueStage {
  readonly kind: 'technique';
  /** The texts whose sentence vectors it reads for these spans (none when absent). */
  texts?(doc: ArticleDocument, spans: readonly TextSpan[]): string[];
  /** `before`: the previous technique stage's probabilities (undefined for the first stage). */
  techniqueProbabilities(
    article: ArticleRun,
    spans: readonly TextSpan[],
    before: readonly Float64Array[] | undefined,
  ): Float64Array[] | Promise<Float64Array[]>;
  /** The cues behind a span's technique, in plain words (the stage whose weights explain). */
  cues?(article: ArticleRun, span: PhraseSpan, technique: number): Cue[];
}

export type Stage = TokenStage | TechniqueStage;

/** What stages are made from: the model's header and tensors, and its side files. */
export interface StageSource {
  header: ModelHeader;
  tensors: ReadonlyMap<string, Float32Array>;
  /** A file the model was trained with, found beside it, checked against its sha256, unzipped. */
  sideFile: SideFiles;
}

/** A stage file's export: the name a model file lists it by, and how it is made. */
export interface StagePlugin {
  readonly name: string;
  load(source: StageSource): Stage[];
}

/** The stages and what they share: the word clusters, and how texts become vectors. */
export interface Pipeline {
  readonly stages: readonly Stage[];
  readonly clusters: WordClusters;
  /** Absent: the sentence encoder (training puts a cache in front of it). */
  readonly embedder?: Embedder;
}

/**
 * One article on its way through the stages: every token stage's output is computed once,
 * and the sentence vectors its stages read are encoded (`prepare*`) before they run.
 */
export class ArticleRun {
  private readonly tokenStages: TokenStage[];
  private readonly techniqueStages: TechniqueStage[];
  private readonly tokens = new Map<TokenStage, Float32Array>();
  private readonly contexts = new WeakMap<readonly TextSpan[], SpanContext[]>();
  private vectors?: TextVectors;

  constructor(
    readonly ctx: ArticleContext,
    private readonly pipeline: Pipeline,
  ) {
    this.tokenStages = pipeline.stages.filter((s) => s.kind === 'token');
    this.techniqueStages = pipeline.stages.filter((s) => s.kind === 'technique');
  }

  /** Encode the texts the token stages read, then run the token stages in turn. */
  async prepareTokens(): Promise<void> {
    await this.encode(this.tokenStages.flatMap((s) => s.texts?.(this.ctx.doc) ?? []));
    let before: Float32Array | undefined;
    for (const stage of this.tokenStages) {
      let probs = this.tokens.get(stage);
      if (!probs) this.tokens.set(stage, (probs = await stage.tokenProbabilities(this, before)));
      before = probs;
    }
  }

  /** Encode the texts the technique stages read for these spans. */
  async prepareTechniques(spans: readonly TextSpan[]): Promise<void> {
    await this.encode(this.techniqueStages.flatMap((s) => s.texts?.(this.ctx.doc, spans) ?? []));
  }

  private async encode(texts: string[]): Promise<void> {
    if (texts.length === 0) return;
    this.vectors ??= new TextVectors(this.pipeline.embedder ?? SentenceEncoder.load());
    await this.vectors.ensure(texts);
  }

  /** The sentence vector of a text that a `prepare*` call encoded. */
  vector(text: string): Float32Array {
    if (!this.vectors) throw new Error('no sentence vectors were prepared for this article');
    return this.vectors.get(text);
  }

  /** P(inside a span) of every token: the last token stage's. */
  tokenProbabilities(): Float32Array {
    return this.tokensAfter(this.tokenStages.length - 1);
  }

  /** The probabilities a token stage reads: those of the token stage before it. */
  tokensBefore(stage: TokenStage): Float32Array | undefined {
    const k = this.tokenStages.indexOf(stage);
    return k > 0 ? this.tokensAfter(k - 1) : undefined;
  }

  /** A stage's output, computed here when the stage answers at once (the linear one). */
  private tokensAfter(k: number): Float32Array {
    const stage = this.tokenStages[k]!;
    let probs = this.tokens.get(stage);
    if (!probs) {
      const result = stage.tokenProbabilities(this, k > 0 ? this.tokensAfter(k - 1) : undefined);
      if (result instanceof Promise) {
        result.catch(() => {}); // its outcome is not wanted: the caller is told to prepare
        throw new Error('the token stages have not run for this article (prepareTokens)');
      }
      this.tokens.set(stage, (probs = result));
    }
    return probs;
  }

  /** Technique probabilities of spans: the technique stages in turn, each reading the last. */
  async techniqueProbabilities(spans: readonly TextSpan[]): Promise<Float64Array[]> {
    let probs: Float64Array[] | undefined;
    for (const stage of this.techniqueStages)
      probs = await stage.techniqueProbabilities(this, spans, probs);
    if (!probs) throw new Error('the model has no technique stage');
    return probs;
  }

  /** The first technique stage that explains its choices (the linear one). */
  explainer(): TechniqueStage | undefined {
    return this.techniqueStages.find((s) => s.cues);
  }

  /** What the linear classifier and the technique decision know of spans (computed once). */
  spanContexts(spans: readonly TextSpan[]): SpanContext[] {
    let contexts = this.contexts.get(spans);
    if (!contexts) this.contexts.set(spans, (contexts = spanContexts(this.ctx, spans)));
    return contexts;
  }
}

/** The probabilities a stage needs from the stage before it (the linear stage's). */
export function fromStageBefore<T>(before: T | undefined, stage: string): T {
  if (before === undefined) throw new Error(`the ${stage} stage reads the stage before it`);
  return before;
}
