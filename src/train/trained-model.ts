/**
 * A model as training holds it: its header and the parts of its stages, which it writes to a
 * model file and runs as a Detector.
 */
import { Detector, type LoadOptions } from '../detect/detector.js';
import type { LogisticModel, SoftmaxModel } from '../detect/linear.js';
import type { ModelHeader } from '../detect/model-header.js';
import type { NeuralStack } from '../detect/neural/neural-stack.js';
import type { Stage } from '../detect/stage.js';
import { linearModels, linearStages } from '../detect/stages/linear.js';
import { neuralStack, neuralStages } from '../detect/stages/neural.js';
import { sentenceHeadStage, SentenceHead } from '../detect/stages/sentence-head.js';
import { decodeClusters, type WordClusters } from '../features/clusters.js';
import {
  decodeModel,
  encodeModel,
  MODEL_FORMAT,
  readModelFile,
  readSideFile,
} from '../formats/model-file.js';
import { TECHNIQUE_LABELS } from '../techniques/catalogue.js';

export interface TrainedModel {
  header: ModelHeader;
  tagger: LogisticModel;
  classifier: SoftmaxModel;
  clusters: WordClusters;
  neural?: NeuralStack;
  sentenceHead?: SentenceHead;
}

/** The model's stages, in order (as encodeTrainedModel lists them). */
function stagesOf(model: TrainedModel): Stage[] {
  const reads = model.header.sentenceHead?.reads ?? 'both';
  return [
    ...linearStages(model.tagger, model.classifier),
    ...(model.neural ? neuralStages(model.neural) : []),
    ...(model.sentenceHead ? [sentenceHeadStage(model.sentenceHead, reads)] : []),
  ];
}

/** The model at run time (before the int8 round trip of its file). */
export function detectorOf(model: TrainedModel, options?: LoadOptions): Detector {
  return new Detector(model.header, stagesOf(model), model.clusters, options);
}

/** The model file's bytes; its header lists its stages. */
export function encodeTrainedModel(model: TrainedModel): Buffer {
  const { header } = model;
  const stages = [
    'linear',
    ...(model.neural ? ['neural'] : []),
    ...(model.sentenceHead ? ['sentence-head'] : []),
  ];
  return encodeModel(
    {
      ...header,
      format: MODEL_FORMAT,
      stages,
      tagger: { ...header.tagger, bias: model.tagger.bias },
      classifier: { ...header.classifier, biases: Array.from(model.classifier.biases) },
    },
    new Map([
      ['tagger', model.tagger.weights],
      ['classifier', model.classifier.classMajorWeights()],
      ...(model.neural?.tensors() ?? []),
      ...(model.sentenceHead?.tensors() ?? []),
    ]),
  );
}

/** A model file read back into its parts (`train --md` takes an md model's). */
export function readTrainedModel(path: string): TrainedModel {
  return trainedModelFromBytes(readModelFile(path), path);
}

/** A model file's bytes read back into its parts; `path` locates its side files. */
export function trainedModelFromBytes(bytes: Buffer, path: string): TrainedModel {
  const { header, tensors } = decodeModel<ModelHeader>(bytes, path);
  const sideFile = (expected: { file: string; sha256: string }, what: string) =>
    readSideFile(path, expected, what);
  const source = { header, tensors, sideFile };
  return {
    header,
    ...linearModels(source),
    clusters: decodeClusters(sideFile(header.clusters, 'word clusters'), header.clusters.file),
    ...(header.neural && { neural: neuralStack(source) }),
    ...(header.sentenceHead && {
      sentenceHead: SentenceHead.fromTensors(TECHNIQUE_LABELS.length, tensors),
    }),
  };
}
