/**
 * Word clusters: k-means over skip-gram word vectors groups words of similar use
 * ("traitor", "thug", "crook"), so that the linear models generalise from a word seen in
 * training to its neighbours. Built once by `npm run build:clusters` and shipped in
 * `models/word-clusters.bin`:
 *   "SPNCLUS1" | u32 levels | u32 words | u32 wordBytes | words (UTF-8, \n-separated)
 *   | u16[levels * words] cluster ids, level-major
 */
import { SpinscopeError } from '../errors.js';

const MAGIC = 'SPNCLUS1';

export type WordClusters = ReadonlyMap<string, readonly number[]>;

export function encodeClusters(words: readonly string[], levels: readonly Uint16Array[]): Buffer {
  const wordBytes = Buffer.from(words.join('\n'), 'utf8');
  const header = Buffer.alloc(20);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(levels.length, 8);
  header.writeUInt32LE(words.length, 12);
  header.writeUInt32LE(wordBytes.length, 16);
  const ids = Buffer.alloc(2 * levels.length * words.length);
  levels.forEach((level, l) =>
    level.forEach((id, w) => ids.writeUInt16LE(id, 2 * (l * words.length + w))),
  );
  return Buffer.concat([header, wordBytes, ids]);
}

export function decodeClusters(bytes: Uint8Array, source: string): WordClusters {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 20 || String.fromCharCode(...bytes.subarray(0, 8)) !== MAGIC) {
    throw new SpinscopeError('SPN_ERR_MODEL', 'is not a word-cluster file', { file: source });
  }
  const levels = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  const wordBytes = view.getUint32(16, true);
  if (bytes.length !== 20 + wordBytes + 2 * levels * count) {
    throw new SpinscopeError('SPN_ERR_MODEL', 'word-cluster file is truncated', { file: source });
  }
  const words = new TextDecoder().decode(bytes.subarray(20, 20 + wordBytes)).split('\n');
  const base = 20 + wordBytes;
  const map = new Map<string, number[]>();
  words.forEach((word, w) => {
    const ids: number[] = [];
    for (let l = 0; l < levels; l++) ids.push(view.getUint16(base + 2 * (l * count + w), true));
    map.set(word, ids);
  });
  return map;
}
