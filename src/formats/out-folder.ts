/**
 * Output folders that never cost the user a file. `--out` is resolved and checked before
 * anything is read or written; the files are written into a fresh folder beside it and only
 * then put in place. Nothing the command did not create is ever removed or replaced.
 */
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { SpinscopeError } from '../errors.js';

const exists = (path: string): boolean => lstatSync(path, { throwIfNoEntry: false }) !== undefined;

/**
 * The absolute folder that `out` names, refused (a SpinscopeError) when it goes into a
 * folder and back out (`name/..`), is a file, or is a folder with files in it (unless
 * `force`: then the files are added beside them).
 */
export function checkOutFolder(out: string, force = false): string {
  // The system walks through `name` in `name/..` (failing when it is missing, landing
  // elsewhere when it is a link) where the resolved path skips it: too easy to get wrong.
  const parts = out.split(/[/\\]/u).filter((p) => p !== '' && p !== '.');
  if (parts.some((p, i) => p === '..' && i > 0 && parts[i - 1] !== '..')) {
    throw new SpinscopeError(
      'SPN_ERR_USAGE',
      `--out "${out}" goes into a folder and back out with "..": name the folder itself`,
    );
  }
  const target = resolve(out);
  if (!exists(target)) return target;
  const real = realpathSync(target); // a link: write into the folder it points at, not over it
  if (!statSync(real).isDirectory()) {
    throw new SpinscopeError('SPN_ERR_FILE_WRITE', 'is a file: --out names a folder', {
      file: out,
    });
  }
  if (!force && readdirSync(real).length > 0) {
    throw new SpinscopeError(
      'SPN_ERR_FILE_WRITE',
      'exists and is not empty: choose a new folder, or give --force to add to it',
      { file: out },
    );
  }
  return real;
}

/**
 * Fill a fresh folder beside `target` (from checkOutFolder) with `write`, then rename it
 * to `target`; when `target` exists, move the new files into it instead (the folder keeps
 * its owner and mode, and may be someone's working folder), refusing before anything moves
 * if one of their names is taken. On a failure, what this call created is removed.
 */
export function writeFolder(target: string, write: (dir: string) => void): void {
  const parent = dirname(target);
  const createdParent = mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, `.${basename(target)}.partial-`));
  const moved: string[] = [];
  try {
    write(staging);
    if (!exists(target)) {
      renameSync(staging, target);
      return;
    }
    const names = readdirSync(staging);
    const taken = names.find((name) => exists(join(target, name)));
    if (taken !== undefined) {
      throw new SpinscopeError('SPN_ERR_FILE_WRITE', `already has ${taken}: nothing is replaced`, {
        file: target,
      });
    }
    for (const name of names) {
      renameSync(join(staging, name), join(target, name));
      moved.push(name);
    }
  } catch (error) {
    for (const name of moved) rmSync(join(target, name), { recursive: true, force: true });
    if (createdParent !== undefined) rmSync(createdParent, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
