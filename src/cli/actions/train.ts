/** `spinscope train`: train the detector on a corpus split, evaluate it on another, write model and card. */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { PACKAGE_ROOT, type SHIPPED_MODELS } from '../../config.js';
import { corpusName, mergeCorpora, readCorpus, type Corpus } from '../../formats/corpus.js';
import { writeFileAtomically } from '../../formats/files.js';
import {
  evaluateDetector,
  readCrossValidation,
  renderCard,
  type ModelCard,
} from '../../train/card.js';
import {
  accurateWithSentenceHead,
  trainSentenceHeadDetector,
} from '../../train/train-sentence-head.js';
import { VectorFile } from '../../train/vector-file.js';
import { Detector } from '../../detect/detector.js';
import {
  encodeTrainedModel,
  readTrainedModel,
  type TrainedModel,
} from '../../train/trained-model.js';
import {
  DEFAULT_TRAIN_SETTINGS,
  trainDetector,
  type TrainInput,
  type TrainResult,
  type TrainSettings,
} from '../../train/train.js';
import { SpinscopeError } from '../../errors.js';
import {
  refitNetworks,
  trainAccurateDetector,
  type AccurateTrainInput,
  type RefitChoice,
} from '../../train/train-accurate.js';
import { progressReporter } from '../progress.js';
import type { Sink } from '../sink.js';

export interface TrainCommandOptions {
  /** Corpus folders (roots with train/ and dev/, or split folders), trained on together. */
  data: string[];
  /** Folders of `data` whose articles the linear models learn from this many times. */
  weights?: ReadonlyMap<string, number>;
  split: string;
  devSplit?: string;
  out: string;
  /** The model's name in its header and card (default: the name of the `out` folder). */
  name?: string;
  clusters?: string;
  /**
   * sm: the linear models; md: the sm model with the neural layer over it; lg: the md
   * model's taggers with the sentence-vector technique head.
   */
  model?: ModelKind;
  /** lg: where sentence vectors are kept between runs. */
  vectorCache?: string;
  /**
   * lg: an md model trained on the same articles with the same seed, whose taggers and
   * span decisions are taken as they are (only the technique head is trained).
   */
  mdModel?: string;
  /** A `bench:cv --out` file whose figures the card reports (and the recipe in it). */
  crossValidation?: { file: string; recipe?: string };
  /** Word vectors of the md and lg models (default: models/word-vectors.bin). */
  vectors?: string;
  settings?: Partial<TrainSettings>;
  /** Which of the md model's networks are trained again on every article. */
  refit?: RefitChoice;
  /** How many neural taggers the md model averages. */
  taggers?: number;
}

/** Side files are found beside the model or one folder up; copy one beside it otherwise. */
async function placeSideFile(file: string, outDir: string): Promise<void> {
  const name = basename(file);
  const nearby = [join(outDir, name), join(outDir, '..', name)];
  if (!nearby.some((p) => existsSync(p) && resolve(p) === file) && !nearby.some(existsSync)) {
    await copyFile(file, join(outDir, name));
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** What `train --model` trains: sm, md or lg. */
export type ModelKind = (typeof SHIPPED_MODELS)[number];

/** The md model that `--md` names, if it was trained as this run would train it. */
function givenMdModel(
  path: string,
  corpus: Corpus,
  input: { settings: Partial<TrainSettings> },
): TrainedModel {
  const model = readTrainedModel(resolve(path));
  const { training } = model.header;
  const seed = input.settings.seed ?? DEFAULT_TRAIN_SETTINGS.seed;
  if (!model.neural) throw new SpinscopeError('SPN_ERR_USAGE', `--md ${path}: not an md model`);
  if (training.articles !== corpus.articles.length || training.seed !== seed)
    throw new SpinscopeError(
      'SPN_ERR_USAGE',
      `--md ${path}: trained on ${training.articles} articles with seed ${training.seed}, this run has ${corpus.articles.length} with seed ${seed}`,
    );
  return model;
}

/** A corpus folder of --data and the articles read from it. */
interface DataCorpus {
  data: string;
  corpus: Corpus;
}

/**
 * The corpora to train on, and the weights --weight gives their articles. Each --data may be a
 * corpus root (with train/ and dev/) or a split folder itself; --split may name several splits
 * (train,dev), trained on together, in every root that has them.
 */
async function readTrainingCorpora(
  options: TrainCommandOptions,
): Promise<{ corpora: DataCorpus[]; articleWeights: Map<string, number> }> {
  const folders = await Promise.all(
    options.data.map(async (data) => ({
      data,
      dirs: await Promise.all(
        options.split
          .split(',')
          .map(async (split) =>
            (await isDirectory(join(data, split))) ? join(data, split) : data,
          ),
      ),
    })),
  );
  const corpora = await Promise.all(
    folders.map(async ({ data, dirs }) => ({
      data,
      corpus: mergeCorpora(await Promise.all([...new Set(dirs)].map(readCorpus))),
    })),
  );
  const articleWeights = new Map<string, number>();
  for (const [folder, weight] of options.weights ?? []) {
    const match = corpora.find((c) => resolve(c.data) === resolve(folder));
    if (!match)
      throw new SpinscopeError(
        'SPN_ERR_USAGE',
        `--weight ${folder}: not one of the --data folders`,
      );
    for (const a of match.corpus.articles) articleWeights.set(a.id, weight);
  }
  return { corpora, articleWeights };
}

/** The card's corpus line: every corpus trained on, and how much each weighed. */
function corpusLine(corpora: DataCorpus[], options: TrainCommandOptions): string {
  return corpora
    .map(({ data, corpus }) => {
      const weight = [...(options.weights ?? [])].find(([dir]) => resolve(dir) === resolve(data));
      return `${corpusName(corpus.dir)}${weight ? ` ×${weight[1]}` : ''}`;
    })
    .join(' + ');
}

/** A trained model, with the fast model trained on the way to it (when there was one). */
type Trained = TrainResult & { fast?: TrainedModel };

/** Train the model `kind` names. */
async function trainModel(
  kind: ModelKind,
  options: TrainCommandOptions,
  input: TrainInput & { settings: Partial<TrainSettings> },
  accurateInput: AccurateTrainInput,
): Promise<Trained> {
  if (kind === 'sm') return trainDetector(input);
  if (kind === 'md') return trainAccurateDetector(accurateInput);
  const vectorCache = new VectorFile(
    resolve(options.vectorCache ?? join(PACKAGE_ROOT, '.cache', 'sentence-vectors.bin')),
  );
  const given = options.mdModel && givenMdModel(options.mdModel, input.corpus, input);
  // The head learns from the sm model trained on the way; lg takes the md taggers.
  const { fast, accurate } = given
    ? { fast: trainDetector(input), accurate: given }
    : await trainAccurateDetector(accurateInput).then((a) => ({
        fast: { ...a, model: a.fast },
        accurate: a.model,
      }));
  const headModel = await trainSentenceHeadDetector(
    { ...input, vectorCache, spanOnly: true },
    fast,
  );
  vectorCache.save();
  return {
    ...headModel,
    fast: fast.model,
    model: accurateWithSentenceHead(accurate, headModel.model),
  };
}

/** The card of the model written as `bytes`: its figures are those of what ships. */
async function modelCard(
  trained: Trained,
  bytes: Buffer,
  modelPath: string,
  dev: Corpus | undefined,
  options: TrainCommandOptions,
): Promise<ModelCard> {
  const { model, outOfFold } = trained;
  // Measure what ships: the quantised model read back from its bytes.
  const shipped = Detector.fromBytes(bytes, resolve(modelPath));
  const heldOut = dev ? (await evaluateDetector(shipped, dev)).metrics : undefined;
  const { biases: _biases, ...classifier } = model.header.classifier;
  return {
    model: { ...model.header, classifier },
    sizeBytes: bytes.length,
    outOfFold,
    heldOut,
    crossValidated:
      options.crossValidation &&
      (await readCrossValidation(options.crossValidation.file, options.crossValidation.recipe)),
    smHeldOut:
      dev && trained.fast
        ? (
            await evaluateDetector(
              Detector.fromBytes(encodeTrainedModel(trained.fast), resolve(modelPath)),
              dev,
            )
          ).metrics
        : undefined,
  };
}

export async function trainAction(options: TrainCommandOptions, out: Sink): Promise<ModelCard> {
  const { corpora, articleWeights } = await readTrainingCorpora(options);
  const corpus = mergeCorpora(corpora.map((c) => c.corpus));
  const devRoot = options.data[0]!;
  const devDir = options.devSplit ? join(devRoot, options.devSplit) : undefined;
  const dev = devDir && (await isDirectory(devDir)) ? await readCorpus(devDir) : undefined;
  const clustersFile = resolve(
    options.clusters ?? join(PACKAGE_ROOT, 'models', 'word-clusters.bin'),
  );
  const kind = options.model ?? 'sm';
  const vectorsFile = resolve(options.vectors ?? join(PACKAGE_ROOT, 'models', 'word-vectors.bin'));
  const progress = progressReporter();
  const input = {
    corpus,
    clustersFile,
    articleWeights,
    settings: { name: options.name ?? basename(resolve(options.out)), ...options.settings },
    onProgress: (p: { stage: string; done: number; total: number }) =>
      progress.update(p.stage, p.done, p.total),
  };
  const accurateInput = {
    ...input,
    vectorsFile,
    accurate: {
      ...(options.refit && { refit: refitNetworks(options.refit) }),
      ...(options.taggers && { taggers: options.taggers }),
    },
  };
  const trained = await trainModel(kind, options, input, accurateInput);
  const { model, outOfFold } = trained;
  progress.stop();
  model.header.training.corpus = corpusLine(corpora, options);
  const bytes = encodeTrainedModel(model);
  const modelPath = join(options.out, 'model.bin');
  await mkdir(options.out, { recursive: true });
  await placeSideFile(clustersFile, options.out);
  if (kind !== 'sm') await placeSideFile(vectorsFile, options.out);
  await writeFileAtomically(modelPath, bytes);
  const card = await modelCard(trained, bytes, modelPath, dev, options);
  const heldOut = card.heldOut;
  await writeFileAtomically(join(options.out, 'card.json'), `${JSON.stringify(card, null, 2)}\n`);
  await writeFileAtomically(join(options.out, 'card.md'), renderCard(card));
  out(
    `model written to ${join(options.out, 'model.bin')} (${(bytes.length / 1024 / 1024).toFixed(1)} MiB)\n`,
  );
  out(
    `out of fold on ${corpus.articles.length} training articles: SI F1 ${outOfFold.si.toFixed(4)}, TC ${outOfFold.tc.toFixed(4)}, full ${outOfFold.full.toFixed(4)}\n`,
  );
  if (heldOut) {
    out(
      `held out (${heldOut.articles} articles): SI F1 ${heldOut.si.f1.toFixed(4)}, TC micro-F1 ${heldOut.tc?.microF1.toFixed(4) ?? '-'}, full-task micro-F1 ${heldOut.full.micro.f1.toFixed(4)}\n`,
    );
  }
  return card;
}
