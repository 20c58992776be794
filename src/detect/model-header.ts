/**
 * The model file's header: what a model was trained on, and the header part that each of its
 * stages (detect/stages/) and decisions read. Field names are those of the shipped files.
 */
import type { Platt } from './calibration.js';
import type { NeuralHeader } from './neural/neural-stack.js';
import type { SpanDecoding } from './span-tagger.js';
import type { ClassifierDecision, LabelDecision } from './technique-decision.js';

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
  /**
   * The model's stages by name, in the order they run (detect/stages/index.ts); absent in
   * the files shipped before the list existed, whose stages `stageNames` derives.
   */
  stages?: string[];
  clusters: { file: string; sha256: string };
  tagger: { bits: number; bias: number; decoding: SpanDecoding };
  classifier: ClassifierDecision & { bits: number; biases: number[]; secondLabelThreshold: number };
  calibration: { span: Platt; technique: Platt };
  /** The neural stage: BiLSTM taggers, and a BiLSTM span classifier in `md`. */
  neural?: NeuralHeader;
  /**
   * The technique head over sentence vectors (the sentence-head stage). `reads: 'span'`: it
   * reads the span's vector alone (its sentence's half is a blank's); absent: the span's and
   * its sentence's (files before 2026-12-07).
   */
  sentenceHead?: { encoder: string; epochs: number; reads?: 'span' };
}

/** The stages of a model: its list, or for an older file those its header parts imply. */
export function stageNames(header: ModelHeader): string[] {
  return (
    header.stages ?? [
      'linear',
      ...(header.neural ? ['neural'] : []),
      ...(header.sentenceHead ? ['sentence-head'] : []),
    ]
  );
}

/** The files a model was trained with, which its stages read: word clusters, word vectors. */
export function sideFilesOf(header: ModelHeader): { file: string; sha256: string }[] {
  return [header.clusters, ...(header.neural ? [header.neural.vectors] : [])];
}

/** What the choice of a span's techniques reads of the header (technique-decision.ts, 5–6). */
export function labelDecisionOf(header: ModelHeader): LabelDecision {
  return {
    secondLabelThreshold: header.classifier.secondLabelThreshold,
    calibration: header.calibration.technique,
  };
}
