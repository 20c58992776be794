/**
 * `node --import tsx --import ./bench/lite-tokens/hook.mjs SCRIPT`: the process (and its
 * worker threads, which inherit the flags) tokenizes with bench/lite-tokens/tokenize.ts in place
 * of src/text/tokenize.ts. An experiment (docs/experiments.md); the product never loads it.
 */
import { register } from 'node:module';

register('./resolve.mjs', import.meta.url);
