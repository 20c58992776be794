/**
 * Reading a file line by line as bytes, with each line's byte range: JSON Lines inputs and
 * the results journal are streamed (never read whole into memory), a line's number can be
 * reported, and a torn last line can be cut off exactly where it starts.
 */
import { createReadStream } from 'node:fs';

export interface RawLine {
  /** 1-based line number. */
  lineNo: number;
  /** Byte offset of the line's first byte. */
  start: number;
  /** Byte offset just past the line's last byte (before its newline). */
  end: number;
  /** The line's bytes without its newline (and without a `\r` before it), or undefined when over the limit. */
  bytes: Buffer | undefined;
  /** False for a last line that has no newline (a torn write, or a file without a final newline). */
  terminated: boolean;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Yield the lines of a file. A line longer than `maxLineBytes` is yielded with `bytes`
 * undefined (its bytes are skipped, not kept), so one huge line cannot exhaust memory.
 */
export async function* readLines(
  file: string,
  maxLineBytes = Number.POSITIVE_INFINITY,
): AsyncGenerator<RawLine> {
  const stream = createReadStream(file, { highWaterMark: 1024 * 1024 });
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let overLimit = false;
  let lineStart = 0;
  let offset = 0;
  let lineNo = 0;

  const take = (end: number, terminated: boolean): RawLine => {
    lineNo += 1;
    let bytes: Buffer | undefined;
    if (!overLimit) {
      bytes = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingLength);
      if (terminated && bytes.length > 0 && bytes[bytes.length - 1] === CR) {
        bytes = bytes.subarray(0, bytes.length - 1);
      }
    }
    const line: RawLine = { lineNo, start: lineStart, end, bytes, terminated };
    pending = [];
    pendingLength = 0;
    overLimit = false;
    return line;
  };

  const keep = (part: Buffer): void => {
    if (overLimit) return;
    if (pendingLength + part.length > maxLineBytes) {
      overLimit = true;
      pending = [];
      pendingLength = 0;
      return;
    }
    pending.push(part);
    pendingLength += part.length;
  };

  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let from = 0;
    for (;;) {
      const at = chunk.indexOf(NEWLINE, from);
      if (at === -1) break;
      keep(chunk.subarray(from, at));
      yield take(offset + at, true);
      lineStart = offset + at + 1;
      from = at + 1;
    }
    if (from < chunk.length) keep(Buffer.from(chunk.subarray(from)));
    offset += chunk.length;
  }
  if (offset > lineStart) yield take(offset, false);
}
