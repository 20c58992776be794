import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as spinscope from '../src/index.js';

test('the public API exposes exactly these names', () => {
  assert.deepEqual(Object.keys(spinscope).sort(), [
    'CodePointIndex',
    'ERROR_CODES',
    'SpinscopeError',
    'TECHNIQUES',
    'TECHNIQUE_LABELS',
    'codePointLength',
    'decodeText',
    'defaultCorpusDir',
    'evaluate',
    'formatSiLabels',
    'formatTcLabels',
    'formatTemplate',
    'isTechniqueLabel',
    'mergeOverlapping',
    'parseArticle',
    'parseLabels',
    'readCorpus',
    'readTextFile',
    'scoreFullTask',
    'scoreSi',
    'scoreTc',
    'techniqueById',
    'techniqueByLabel',
    'tokensInSpan',
    'writeFileAtomically',
  ]);
});
