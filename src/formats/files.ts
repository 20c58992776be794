/** Reading and writing files: strict UTF-8 in, atomic writes out. */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import { SpinscopeError, type ErrorCode } from '../errors.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

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
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new SpinscopeError('SPN_ERR_INPUT_BINARY', 'is not valid UTF-8 text', { file: source });
  }
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
  await writeFileAtomic(path, content);
}
