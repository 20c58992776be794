/** The module hook of hook.mjs: the document model's tokenizer, and nothing else, is swapped. */
import { URL } from 'node:url';

const LITE = new URL('./tokenize.ts', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === './tokenize.js' && /\/src\/text\/document\.ts$/u.test(context.parentURL ?? ''))
    return next(LITE, context);
  return next(specifier, context);
}
