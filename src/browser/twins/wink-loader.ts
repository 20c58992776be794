/**
 * Browser twin of text/wink-loader.ts: wink-nlp bundled, its cache module wrapped by the
 * worker's Vite build (text/wink-cache.ts says why).
 */
import winkNLP from 'wink-nlp';

export function loadWink(): typeof winkNLP {
  return winkNLP;
}
