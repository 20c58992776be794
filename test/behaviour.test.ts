/**
 * The shipped models' behaviour, pinned: their analyses of the dev articles digested
 * (test/digests.ts) and compared with the committed digests. A refactoring leaves both
 * digests as they are; a change to the explanations changes only the analyses'. When a
 * model is retrained or the cues change on purpose, `npm run pin:digests` writes the new
 * ones to commit; this test never writes them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DEV, DIGESTS, devDigests } from './digests.js';
import { needsShared } from './helpers.js';

test(
  'the shipped models analyse the dev articles exactly as pinned',
  { skip: needsShared(DEV) },
  async () => {
    assert.deepEqual(await devDigests(), JSON.parse(readFileSync(DIGESTS, 'utf8')));
  },
);
