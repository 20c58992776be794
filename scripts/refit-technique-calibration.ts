/**
 * Give a shipped model the technique calibration of the same model trained again by today's
 * code, without touching its weights: the retrained file must hold byte-identical tensors
 * and the same decisions (which proves the held-out predictions the calibration is fitted on
 * were reproduced), and only `calibration.technique` is taken from it (the version becomes
 * today's date). The card gets the retrained card's out-of-fold confidence check, inserted
 * after its out-of-fold figures.
 *
 *   spinscope train … --out /tmp/md          (the model card's Reproduce line, --out elsewhere)
 *   npx tsx scripts/refit-technique-calibration.ts /tmp/md models/md
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { isDeepStrictEqual } from 'node:util';
import { confidenceSection, type ModelCard } from '../src/train/card.js';
import type { ModelHeader } from '../src/detect/model-header.js';

const [retrainedDir, shippedDir] = process.argv.slice(2);
if (!retrainedDir || !shippedDir) throw new Error('usage: RETRAINED_DIR SHIPPED_DIR');

/** A model file's header and the bytes after it (the quantised tensors), as stored. */
function readRaw(dir: string) {
  const bytes = gunzipSync(readFileSync(join(dir, 'model.bin')));
  const length = bytes.readUInt32LE(8);
  const header = JSON.parse(bytes.toString('utf8', 12, 12 + length)) as ModelHeader;
  return { prefix: bytes.subarray(0, 8), header, tensors: bytes.subarray(12 + length) };
}

const retrained = readRaw(retrainedDir);
const shipped = readRaw(shippedDir);
if (!retrained.tensors.equals(shipped.tensors)) throw new Error('the weights differ');
/**
 * What may differ: its name, version, when and how long it trained, its list of stages (older
 * files derive it), and the refitted calibration.
 */
const decisions = (h: ModelHeader) => ({
  ...h,
  name: undefined,
  version: undefined,
  createdAt: undefined,
  stages: undefined,
  training: { ...h.training, seconds: undefined },
  calibration: { span: h.calibration.span },
});
if (!isDeepStrictEqual(decisions(retrained.header), decisions(shipped.header)))
  throw new Error('the decisions differ: the held-out predictions were not reproduced');

// Today's date as the version: stores keep analyses by model version, and the confidences are new.
const header = {
  ...shipped.header,
  version: new Date().toISOString().slice(0, 10),
  calibration: { ...shipped.header.calibration, technique: retrained.header.calibration.technique },
};
const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
const length = Buffer.alloc(4);
length.writeUInt32LE(headerBytes.length);
writeFileSync(
  join(shippedDir, 'model.bin'),
  gzipSync(Buffer.concat([shipped.prefix, length, headerBytes, shipped.tensors]), { level: 9 }),
);

const retrainedCard = JSON.parse(
  readFileSync(join(retrainedDir, 'card.json'), 'utf8'),
) as ModelCard;
const check = retrainedCard.outOfFold.confidence;
if (!check) throw new Error('the retrained card has no confidence check');
const cardFile = join(shippedDir, 'card.json');
const card = JSON.parse(readFileSync(cardFile, 'utf8')) as ModelCard;
card.model.version = header.version;
card.model.calibration = header.calibration;
card.outOfFold.confidence = check;
writeFileSync(cardFile, `${JSON.stringify(card, null, 2)}\n`);
// card.md may hold notes written by hand: the section goes in after the out-of-fold figures.
const markdown = readFileSync(join(shippedDir, 'card.md'), 'utf8').split('\n');
markdown[0] = markdown[0]!.replace(`(${shipped.header.version})`, `(${header.version})`);
const at = markdown.findIndex((line) => line.startsWith('SI F1 '));
markdown.splice(at + 1, 0, ...confidenceSection(check));
writeFileSync(join(shippedDir, 'card.md'), markdown.join('\n'));
console.log(`${shippedDir}: technique calibration ${JSON.stringify(header.calibration.technique)}`);
