/**
 * Analysis on this device: the detector's Web Worker (src/browser/worker.ts, built into
 * `worker/detector-worker.js` beside the page) with the model files as static files
 * (`models/<name>/model.bin` and the side files it names). The article goes to the worker
 * by postMessage and never into a request; the worker fetches only the model's files.
 *
 * The records it gives are shaped as the API's, so that the page shows, filters and exports
 * them alike; they are kept nowhere (no store: no corpus, no review).
 */
import type { TextInput } from './api.js';
import type { Analysis, AnalysisRecord } from './types.js';

/** An article: its text, and the title, source and date when known. */
export type ArticleInput = Omit<TextInput, 'model'>;

/** A model that runs on the device, and the bytes of its files (measured by the build). */
export interface DeviceModel {
  name: string;
  bytes: number;
  /**
   * Only on the static site: `lg`, whose sentence encoder's files (models/encoder/) are in
   * web/dist/ but not among the model files that `spinscope serve` serves.
   */
  staticOnly: boolean;
}

declare const __SPINSCOPE_DEVICE_MODELS__: DeviceModel[];

/** `sm`, `md` and `lg` (its sentence encoder on WebAssembly). */
export const DEVICE_MODELS: readonly DeviceModel[] = __SPINSCOPE_DEVICE_MODELS__;

/**
 * The model a device analysis uses unless the reader picks another: `lg` downloads 35 MB
 * (21 MB of it its sentence encoder), about 1.5 s more before the first analysis.
 */
export const DEVICE_DEFAULT_MODEL = 'md';

/** The worker's protocol (src/browser/worker.ts): a model.bin's URL and the text in. */
interface WorkerRequest {
  id: number;
  model: string;
  text: string;
}

type WorkerReply =
  { id: number; analysis: Analysis } | { id: number; error: { code: string; message: string } };

/** "14 MB": a download's size for a reader (decimal megabytes, as browsers show them). */
export function formatBytes(bytes: number): string {
  const mb = bytes / 1e6;
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

const devicePages = new WeakSet<AnalysisRecord>();

/** True for a record analysed on this device (it is in no store: no link, no review). */
export function isDeviceRecord(record: AnalysisRecord): boolean {
  return devicePages.has(record);
}

export class DeviceAnalyser {
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, (reply: WorkerReply) => void>();
  private readonly loaded = new Set<string>();
  private next = 0;

  /** True once `model` has been loaded by the worker (later analyses download nothing). */
  isLoaded(model: string): boolean {
    return this.loaded.has(model);
  }

  /** What the reader waits for: the model's download on its first use, else the analysis. */
  progressMessage(model: string): string {
    if (this.isLoaded(model)) return 'Analysing on this device…';
    const bytes = DEVICE_MODELS.find((m) => m.name === model)?.bytes;
    const size = bytes ? ` (${formatBytes(bytes)})` : '';
    return `Downloading the ${model} model${size} and analysing on this device; later articles skip the download…`;
  }

  /** Analyse an article in the worker; the record is shaped as the API's. */
  async analyse(input: ArticleInput, model: string): Promise<AnalysisRecord> {
    if (!window.isSecureContext)
      throw new Error(
        'Analysing on this device needs a secure page: open it over https:// or from localhost.',
      );
    const started = performance.now();
    const analysis = await this.request(model, input.text);
    this.loaded.add(model);
    const record: AnalysisRecord = {
      id: `device-${Date.now().toString(36)}-${this.next}`,
      contentHash: await sha256(input.text),
      modelName: analysis.model.name,
      modelVersion: analysis.model.version,
      source: input.source || null,
      title: input.title || analysis.title || null,
      date: input.date || null,
      createdAt: new Date().toISOString(),
      durationMs: Math.round(performance.now() - started),
      text: input.text,
      analysis,
      cached: false,
    };
    devicePages.add(record);
    return record;
  }

  private request(model: string, text: string): Promise<Analysis> {
    const worker = this.start();
    const id = this.next++;
    const message: WorkerRequest = {
      id,
      model: new URL(`models/${encodeURIComponent(model)}/model.bin`, document.baseURI).href,
      text,
    };
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (reply) => {
        this.waiting.delete(id);
        if ('error' in reply) reject(new Error(sentence(reply.error.message)));
        else resolve(reply.analysis);
      });
      worker.postMessage(message);
    });
  }

  /** The worker, started on the first analysis (the page alone downloads no model). */
  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('worker/detector-worker.js', document.baseURI), {
      type: 'module',
    });
    worker.addEventListener('message', (event: MessageEvent<WorkerReply>) => {
      this.waiting.get(event.data.id)?.(event.data);
    });
    worker.addEventListener('error', (event) => {
      // The script is missing or broken: every waiting analysis fails, the next one retries.
      event.preventDefault();
      const message = `The on-device analyser did not start (${event.message || 'worker/detector-worker.js could not be loaded'}).`;
      for (const [id, settle] of this.waiting)
        settle({ id, error: { code: 'SPN_ERR_INTERNAL', message } });
      worker.terminate();
      this.worker = undefined;
    });
    this.worker = worker;
    return worker;
  }
}

/** A message from the library as a sentence: capital first letter. */
function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

// ---------------------------------------------------------------------------------------
// Files read on the device

const HTML_START = /^\s*(<!doctype html|<html|<head|<body|<article|<p[\s>])/iu;

/** As formats/article-input.ts's `looksLikeHtml`: by extension, type, or how it starts. */
function looksLikeHtml(name: string, text: string, type: string): boolean {
  const ext = /\.[^.]*$/u.exec(name.toLowerCase())?.[0] ?? '';
  if (ext === '.html' || ext === '.htm' || ext === '.xhtml') return true;
  if (/html/iu.test(type)) return true;
  return ext !== '.txt' && HTML_START.test(text.replace(/^\ufeff/u, ''));
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A .txt or .html file as an article, in the page, as the server reads an upload: strict
 * UTF-8 (a leading BOM kept: offsets count it), HTML pages through the same extraction
 * (Readability over linkedom, within the same budgets). `source`: the form's, else the
 * page's site name.
 */
export async function articleFromFile(file: File, source?: string): Promise<ArticleInput> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let text: string;
  try {
    if (bytes.includes(0)) throw new Error('NUL bytes');
    text = strictUtf8.decode(bytes);
  } catch {
    throw new Error(`${file.name} is not a UTF-8 text or HTML file.`);
  }
  if (!looksLikeHtml(file.name, text, file.type)) return { text, ...(source && { source }) };
  // The server's extraction, linkedom included (loaded on the first page): the same article.
  const { extractArticle } = await import('../../src/formats/html.js');
  const page = extractArticle(text);
  const article: ArticleInput = { text: page.text };
  if (page.title !== undefined) article.title = page.title;
  if (page.date !== undefined) article.date = page.date;
  const site = source || page.siteName;
  if (site) article.source = site;
  return article;
}
