/** Reading and writing files: strict UTF-8 in, atomic writes out. */
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { SpinscopeError, type ErrorCode } from '../errors.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bytes as UTF-8 text, or undefined when they are not valid UTF-8 (a leading BOM is kept). */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Decode bytes as UTF-8 text, refusing binary data (NUL bytes) and invalid UTF-8. A
 * leading BOM is kept: the corpus counts it as character 0.
 */
export function decodeText(bytes: Uint8Array, source: string): string {
  if (bytes.includes(0)) {
    throw new SpinscopeError(
      'SPN_ERR_INPUT_BINARY',
      'looks like a binary file (it contains NUL bytes)',
      {
        file: source,
      },
    );
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) {
    throw new SpinscopeError('SPN_ERR_INPUT_BINARY', 'is not valid UTF-8 text', { file: source });
  }
  return text;
}

/** A file's bytes, or an error with the given code that names the file and what it is. */
export function readBytesSync(
  path: string,
  what: string,
  code: ErrorCode = 'SPN_ERR_FILE_READ',
): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new SpinscopeError(code, `cannot read ${what}: ${(error as Error).message}`, {
      file: path,
    });
  }
}

export async function readTextFile(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new SpinscopeError('SPN_ERR_FILE_READ', `cannot read: ${(error as Error).message}`, {
      file: path,
    });
  }
  return decodeText(bytes, path);
}

/** Write a file so that readers see either the old content or the whole new one. */
export async function writeFileAtomically(path: string, content: string | Buffer): Promise<void> {
  writeFileAtomicallySync(path, content);
}

/**
 * Writes a file atomically, in pieces (batch label files can be larger than one wants in
 * memory): to `FILE.tmp-PID`, then fsyncs and renames it over FILE, and fsyncs the folder.
 */
export class AtomicFileWriter {
  private readonly tmp: string;
  private readonly fd: number;
  private buffered: string[] = [];
  private bufferedLength = 0;

  constructor(private readonly file: string) {
    this.tmp = `${file}.tmp-${process.pid}`;
    this.fd = openSync(this.tmp, 'w');
  }

  write(text: string | Buffer): void {
    if (typeof text !== 'string') {
      this.flush();
      writeAll(this.fd, text);
      return;
    }
    this.buffered.push(text);
    this.bufferedLength += text.length;
    if (this.bufferedLength >= 1 << 20) this.flush();
  }

  /** Make the new content durable and put it in place. */
  commit(): void {
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(this.tmp, this.file);
    syncFolder(join(this.file, '..'));
  }

  /** Give up: remove the temporary file. */
  discard(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.tmp, { force: true });
  }

  private flush(): void {
    if (this.buffered.length === 0) return;
    writeAll(this.fd, Buffer.from(this.buffered.join(''), 'utf8'));
    this.buffered = [];
    this.bufferedLength = 0;
  }
}

/** Write a whole file atomically: readers see the old content or the whole new one. */
export function writeFileAtomicallySync(file: string, content: string | Buffer): void {
  const writer = new AtomicFileWriter(file);
  try {
    writer.write(content);
    writer.commit();
  } catch (error) {
    writer.discard();
    throw error;
  }
}

/** Write every byte (writeSync may write fewer than asked). */
export function writeAll(fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

/** fsync a folder so that a rename in it survives power loss (not possible everywhere). */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms cannot open or fsync folders; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
