import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as spinscope from '../src/index.js';
import { ROOT } from './helpers.js';

test('the public API exposes exactly these names', () => {
  assert.deepEqual(Object.keys(spinscope).sort(), [
    'CONFIDENCE_MEANING',
    'CodePointIndex',
    'ERROR_CODES',
    'READER_MIN_CONFIDENCE',
    'SpinscopeError',
    'TECHNIQUES',
    'TECHNIQUE_LABELS',
    'analyze',
    'codePointLength',
    'decodeText',
    'defaultCorpusDir',
    'evaluate',
    'formatSiLabels',
    'formatTcLabels',
    'formatTemplate',
    'isTechniqueLabel',
    'loadDetector',
    'mergeOverlapping',
    'parseArticle',
    'parseLabels',
    'readCorpus',
    'readTextFile',
    'resolveModelPath',
    'scoreFullTask',
    'scoreSi',
    'scoreTc',
    'techniqueById',
    'techniqueByLabel',
    'tokensInSpan',
    'writeFileAtomically',
  ]);
});

test('spinscope/types is a types-only entry: importing it loads nothing', async () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, { types: string; default: string }>;
  };
  assert.deepEqual(pkg.exports['./types'], {
    types: './dist/types.d.ts',
    default: './dist/types.js',
  });
  assert.deepEqual(Object.keys(await import('../src/types.js')), []);
});
