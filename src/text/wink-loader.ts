/**
 * wink-nlp on Node, with its cache module wrapped (text/wink-cache.ts) before wink loads:
 * through the CommonJS module cache. The browser build bundles wink with the same wrapper
 * (browser/wink-loader.ts).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type winkNLP from 'wink-nlp';
import { lexiconOnlyCaches, type CacheFactory } from './wink-cache.js';

export function loadWink(): typeof winkNLP {
  const require = createRequire(import.meta.url);
  const cachePath = join(dirname(require.resolve('wink-nlp')), 'cache.js');
  const createCache = require(cachePath) as CacheFactory;
  const entry = require.cache[cachePath];
  if (entry && !require.cache[require.resolve('wink-nlp')])
    entry.exports = lexiconOnlyCaches(createCache);
  return require('wink-nlp') as typeof winkNLP;
}
