/**
 * The error catalogue as users read it: the README's table lists every code once (a row may
 * list several codes of one status), with the HTTP status the server answers with (none for
 * codes only the CLI or the library raise), and the system's failures map to catalogue codes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES, systemError } from '../src/errors.js';
import { HTTP_STATUS } from '../src/server/http-errors.js';
import { ROOT } from './helpers.js';

/** The rows of the README's error table: code → HTTP status (undefined: none). */
function readmeTable(): Map<string, number | undefined> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Errors'), readme.indexOf('## Models'));
  const rows = new Map<string, number | undefined>();
  // A row may list several codes of one status: | `SPN_ERR_A`, `SPN_ERR_B` | 422 | ...
  for (const match of section.matchAll(
    /^\| (`SPN_ERR_[A-Z_]+`(?:, `SPN_ERR_[A-Z_]+`)*) +\| *(\d*) *\|/gmu,
  )) {
    for (const [, code] of match[1]!.matchAll(/`(SPN_ERR_[A-Z_]+)`/gu)) {
      assert.ok(!rows.has(code!), `${code} twice in the README`);
      rows.set(code!, match[2] ? Number(match[2]) : undefined);
    }
  }
  return rows;
}

test("the README's error table lists every code with the server's status", () => {
  const rows = readmeTable();
  assert.deepEqual([...rows.keys()].sort(), Object.keys(ERROR_CODES).sort());
  for (const [code, status] of rows) {
    assert.equal(status, HTTP_STATUS[code as keyof typeof ERROR_CODES], code);
  }
});

test('system failures become catalogue codes with the path', () => {
  const full = systemError(
    Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }),
  );
  assert.equal(full?.code, 'SPN_ERR_STORAGE');
  const missing = systemError(
    Object.assign(new Error("ENOENT: no such file or directory, open 'a/b.txt'"), {
      code: 'ENOENT',
      path: 'a/b.txt',
      syscall: 'open',
    }),
  );
  assert.equal(missing?.code, 'SPN_ERR_FILE_READ');
  assert.equal(missing?.message, 'a/b.txt: cannot read: no such file or directory');
  const notFolder = systemError(
    Object.assign(new Error("ENOTDIR: not a directory, mkdir 'f/x'"), {
      code: 'ENOTDIR',
      path: 'f/x',
      syscall: 'mkdir',
    }),
  );
  assert.equal(notFolder?.code, 'SPN_ERR_FILE_WRITE');
  assert.equal(systemError(new TypeError('x is undefined')), undefined);
});
