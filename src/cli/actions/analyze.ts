/**
 * `spinscope analyze`: one article from a file or standard input. An HTML page (.html, or
 * text that starts like a page) has its article extracted first, as batch and the server do.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { analyze } from '../../analyze.js';
import { READER_MIN_CONFIDENCE } from '../../detect/analysis.js';
import { SpinscopeError } from '../../errors.js';
import { SentenceEncoder } from '../../features/sentence-encoder.js';
import { articleIdFromFileName } from '../../formats/corpus.js';
import { articleFromBytes } from '../../formats/article-input.js';
import { HtmlExtractor } from '../../formats/html-extractor.js';
import { formatSiLabels, formatTcLabels, siLabelsOf, tcLabelsOf } from '../../formats/labels.js';
import { renderAnalysis } from '../render-terminal.js';
import type { Sink } from '../sink.js';

export type AnalyzeFormat = 'text' | 'json' | 'jsonl' | 'si' | 'tc';

export interface AnalyzeCommandOptions {
  file: string;
  format: AnalyzeFormat;
  threshold?: number;
  model?: string;
  maxBytes?: number;
  id?: string;
  color: boolean;
  /** Columns to wrap the text output to (undefined: none). */
  width?: number;
}

async function readInput(file: string): Promise<Buffer> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(file);
  } catch (error) {
    throw new SpinscopeError('SPN_ERR_FILE_READ', `cannot read: ${(error as Error).message}`, {
      file,
    });
  }
}

export async function analyzeAction(options: AnalyzeCommandOptions, out: Sink): Promise<void> {
  // One article: `lg`'s encoder runs here rather than in threads it would first start
  // (`spinscope analyze` with `lg`: 2.3 → 1.5 s for a short article).
  SentenceEncoder.runInThisThread();
  const source = options.file === '-' ? 'standard input' : options.file;
  const extractor = new HtmlExtractor();
  let text: string;
  try {
    ({ text } = await articleFromBytes(await readInput(options.file), source, { extractor }));
  } catch (error) {
    if (error instanceof SpinscopeError && !error.file) {
      throw new SpinscopeError(error.code, error.message, { file: source });
    }
    throw error;
  } finally {
    await extractor.close();
  }
  // Readers of the text output see few, surer highlights; data formats get every one.
  const threshold = options.threshold ?? (options.format === 'text' ? READER_MIN_CONFIDENCE : 0);
  let analysis;
  try {
    analysis = await analyze(text, {
      threshold,
      model: options.model,
      maxBytes: options.maxBytes,
    });
  } catch (error) {
    // Name the input in input errors: "article.txt: the text is empty".
    if (error instanceof SpinscopeError && error.code.startsWith('SPN_ERR_INPUT')) {
      throw new SpinscopeError(error.code, error.message, { file: source });
    }
    throw error;
  }
  const id = options.id ?? articleIdFromFileName(basename(options.file)) ?? basename(options.file);
  switch (options.format) {
    case 'json':
      out(`${JSON.stringify({ source, ...analysis }, null, 2)}\n`);
      break;
    case 'jsonl':
      out(`${JSON.stringify({ source, ...analysis })}\n`);
      break;
    case 'si':
      out(formatSiLabels(siLabelsOf(id, analysis.spans)));
      break;
    case 'tc':
      out(formatTcLabels(tcLabelsOf(id, analysis.spans)));
      break;
    default:
      out(
        renderAnalysis(text, analysis, { color: options.color, width: options.width, threshold }),
      );
  }
}
