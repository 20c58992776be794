import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as spinscope from '../src/index.js';

test('the public API exposes exactly these names', () => {
  assert.deepEqual(Object.keys(spinscope).sort(), [
    'CodePointIndex',
    'Detector',
    'ERROR_CODES',
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

test('heavy parts have entry points of their own', async () => {
  const server = await import('../src/server/app.js');
  assert.equal(typeof server.startServer, 'function');
  const store = await import('../src/store/store.js');
  assert.equal(typeof store.AnalysisStore.open, 'function');
  const html = await import('../src/formats/html.js');
  assert.equal(typeof html.extractArticle, 'function');
});
