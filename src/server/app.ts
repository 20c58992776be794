/**
 * The HTTP server: a versioned JSON API under /api/v1 (described by an OpenAPI document at
 * /api/v1/openapi.json), the web UI at /, analyses in a worker pool, results in the SQLite
 * store. `spinscope serve` and tests call `startServer`; nothing here is CLI-specific.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import pLimit from 'p-limit';
import { Piscina } from 'piscina';
import { loadDetector, resolveModelPath } from '../analyze.js';
import { DEFAULT_MODEL_NAME } from '../config.js';
import { PACKAGE_ROOT } from '../config.js';
import { SpinscopeError } from '../errors.js';
import { articleFromBytes, articleFromUrl, type ArticleInput } from '../formats/article-input.js';
import { decodeText } from '../formats/files.js';
import { HtmlExtractor } from '../formats/html-extractor.js';
import { AnalysisStore, type StoredAnalysis } from '../store/store.js';
import { TECHNIQUES, isTechniqueLabel } from '../techniques/catalogue.js';
import { DEFAULT_MAX_BYTES, validateText } from '../text/validate.js';
import { ANALYSIS_WORKER_URL, type AnalysisTask } from '../analysis-worker.js';
import { handleClientError, handleError, handleNotFound, requireMediaType } from './http-errors.js';
import {
  analysisSchema,
  analyzeTextBody,
  analyzeUrlBody,
  errorResponses,
  errorSchema,
  listQuery,
  listSchema,
  recordSchema,
  summarySchema,
} from './schemas.js';

export interface ServerOptions {
  /** SQLite file of the store. */
  dbFile: string;
  /** Model name or path (default `accurate`). */
  model?: string;
  /** Largest article in bytes (default 2 MiB); request bodies a little more. */
  maxBytes?: number;
  /** Allow URLs that resolve to private or loopback addresses (default false). */
  allowPrivateUrls?: boolean;
  /** Analysis worker threads (default: one per core, less one for the event loop, at least 1). */
  workers?: number;
  /** Fetch deadline for /analyze/url in ms (default 10 s). */
  fetchTimeoutMs?: number;
  /** Longest extraction of one HTML page in ms (default 5 s); over it, 422. */
  htmlTimeoutMs?: number;
  logger?: boolean;
}

export interface AnalysisRecord extends StoredAnalysis {
  cached: boolean;
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const model = options.model ?? DEFAULT_MODEL_NAME;
  const detector = loadDetector(model); // the model's identity keys the store; workers load their own copy
  const modelName = detector.header.name;
  const modelVersion = detector.header.version;
  const store = AnalysisStore.open(options.dbFile);
  // The event loop (HTTP, JSON, SQLite) needs a core of its own: on 2 cores, 1 worker gives
  // a p95 of 165 ms under 20 clients where 2 workers give 500 ms (npm run bench:latency).
  const threads = options.workers ?? Math.max(1, availableParallelism() - 1);
  const pool = new Piscina<AnalysisTask, ReturnType<typeof detector.analyze>>({
    filename: ANALYSIS_WORKER_URL,
    maxThreads: threads,
    minThreads: threads,
  });
  // Piscina's own queue let some tasks wait seconds behind later ones under load; a FIFO
  // limiter in front of it hands out exactly as many tasks as there are threads, in order.
  const inOrder = pLimit(threads);

  // Load the model in the worker now, so that the first requests do not wait for it.
  await pool.run({ text: 'Warm-up.', model, maxBytes });

  // HTML pages are extracted in a thread of their own, within budgets, so that no page can
  // hold up the event loop (health checks, other requests).
  const html = { extractor: new HtmlExtractor({ timeoutMs: options.htmlTimeoutMs }) };

  // JSON bodies carry the article plus a little: the limit leaves room for escaping.
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: Math.ceil(maxBytes * 1.2) + 16 * 1024,
    clientErrorHandler: handleClientError,
  });
  // JSON is read as bytes and decoded strictly, so invalid UTF-8 is refused (422) as in a
  // file rather than stored as U+FFFD; text/plain bodies are refused (415), not parsed.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = decodeText(body as Buffer, 'the request body');
    } catch (error) {
      done(error as SpinscopeError, undefined);
      return;
    }
    parseJson(request, text, done);
  });
  // Query strings arrive as text, so numbers there are coerced; JSON bodies are taken
  // strictly, so that {"text": 42} is an error rather than the article "42".
  const strict = new Ajv({
    coerceTypes: false,
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
  });
  const coercing = new Ajv({
    coerceTypes: 'array',
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
  });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema),
  );
  app.addSchema(errorSchema);
  app.addSchema(analysisSchema);
  app.addSchema(recordSchema);
  app.addSchema(summarySchema);
  app.addSchema(listSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Spinscope API',
        version: '1',
        description:
          'Finds propaganda techniques in news articles. All offsets count Unicode code points (start inclusive, end exclusive).',
      },
    },
  });
  await app.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 5 } });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  async function analyzeAndStore(input: ArticleInput): Promise<AnalysisRecord> {
    const text = validateText(input.text, { maxBytes });
    const contentHash = AnalysisStore.contentHash(text);
    const existing = store.find(contentHash, modelName, modelVersion);
    if (existing) return { ...existing, cached: true };
    const started = performance.now();
    const analysis = await inOrder(() => pool.run({ text, model, maxBytes }));
    const { record, created } = store.save({
      text,
      analysis,
      source: input.source,
      title: input.title,
      date: input.date,
      durationMs: Math.round(performance.now() - started),
    });
    return { ...record, cached: !created };
  }

  const analyzeResponses = { 200: { $ref: 'AnalysisRecord#' }, ...errorResponses };
  await app.register(
    async (api) => {
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

      api.get(
        '/health',
        {
          schema: {
            summary: 'Health',
            tags: ['meta'],
            response: { 200: { type: 'object', additionalProperties: true } },
          },
        },
        async () => ({ status: 'ok', model: { name: modelName, version: modelVersion } }),
      );

      api.get(
        '/techniques',
        {
          schema: {
            summary: 'The technique catalogue',
            tags: ['meta'],
            response: { 200: { type: 'object', additionalProperties: true } },
          },
        },
        async () => ({ techniques: TECHNIQUES }),
      );

      api.get(
        '/model',
        {
          schema: {
            summary: "The model's card",
            tags: ['meta'],
            response: { 200: { type: 'object', additionalProperties: true } },
          },
        },
        async () => {
          const cardFile = join(dirname(resolveModelPath(model)), 'card.json');
          return existsSync(cardFile)
            ? JSON.parse(readFileSync(cardFile, 'utf8'))
            : { model: detector.header };
        },
      );

      api.post(
        '/analyze',
        {
          config: {
            expects: 'send JSON (Content-Type: application/json) such as {"text": "…"}',
          },
          onRequest: requireMediaType('application/json'),
          schema: {
            summary: 'Analyse a text',
            tags: ['analyses'],
            body: analyzeTextBody,
            response: analyzeResponses,
          },
        },
        async (request) => {
          const body = request.body as {
            text: string;
            title?: string;
            source?: string;
            date?: string;
          };
          return analyzeAndStore(body);
        },
      );

      api.post(
        '/analyze/file',
        {
          config: {
            expects:
              'send multipart/form-data with one file part named "file" (.txt or .html) and an optional field "source"',
          },
          onRequest: requireMediaType('multipart/form-data'),
          schema: {
            summary: 'Analyse an uploaded .txt or .html file (multipart field "file")',
            tags: ['analyses'],
            consumes: ['multipart/form-data'],
            response: analyzeResponses,
          },
        },
        async (request) => {
          // Every part is read, so the fields may come before or after the file.
          let upload: { bytes: Buffer; filename: string; mimetype: string } | undefined;
          let source: unknown;
          for await (const part of request.parts()) {
            if (part.type === 'file') {
              const bytes = await part.toBuffer(); // read even when unused, to reach later parts
              upload ??= { bytes, filename: part.filename, mimetype: part.mimetype };
            } else if (part.fieldname === 'source') source = part.value;
          }
          if (!upload)
            throw new SpinscopeError(
              'SPN_ERR_BAD_REQUEST',
              'send the article as a multipart field named "file"',
            );
          const article = await articleFromBytes(
            upload.bytes,
            upload.filename || 'upload.txt',
            html,
            upload.mimetype,
          );
          return analyzeAndStore({
            ...article,
            source: typeof source === 'string' && source ? source : article.source,
          });
        },
      );

      api.post(
        '/analyze/url',
        {
          config: {
            expects: 'send JSON (Content-Type: application/json) such as {"url": "https://…"}',
          },
          onRequest: requireMediaType('application/json'),
          schema: {
            summary: 'Fetch a page and analyse its article',
            tags: ['analyses'],
            body: analyzeUrlBody,
            response: analyzeResponses,
          },
        },
        async (request) => {
          const { url } = request.body as { url: string };
          const article = await articleFromUrl(url, html, {
            allowPrivate: options.allowPrivateUrls ?? false,
            maxBytes: maxBytes * 4,
            timeoutMs: options.fetchTimeoutMs ?? 10_000,
          });
          return analyzeAndStore(article);
        },
      );

      api.get(
        '/analyses',
        {
          schema: {
            summary: 'List stored analyses, with full-text search and filters',
            tags: ['analyses'],
            querystring: listQuery,
            response: { 200: { $ref: 'AnalysisList#' }, ...errorResponses },
          },
        },
        async (request) => {
          const q = request.query as {
            limit: number;
            offset: number;
            q?: string;
            technique?: string;
            source?: string;
          };
          if (q.technique !== undefined && !isTechniqueLabel(q.technique)) {
            throw new SpinscopeError('SPN_ERR_BAD_REQUEST', `unknown technique "${q.technique}"`);
          }
          return store.list({
            limit: q.limit,
            offset: q.offset,
            query: q.q,
            technique: q.technique,
            source: q.source,
          });
        },
      );

      api.get(
        '/analyses/:id',
        {
          schema: {
            summary: 'One stored analysis',
            tags: ['analyses'],
            params: {
              type: 'object',
              properties: { id: { type: 'string', maxLength: 64 } },
              required: ['id'],
            },
            response: analyzeResponses,
          },
        },
        async (request) => {
          const { id } = request.params as { id: string };
          const record = store.get(id);
          if (!record) throw new SpinscopeError('SPN_ERR_NOT_FOUND', `no analysis ${id}`);
          return { ...record, cached: true };
        },
      );

      api.get(
        '/search',
        {
          schema: {
            summary: 'Full-text search over stored articles',
            tags: ['analyses'],
            querystring: listQuery,
            response: { 200: { $ref: 'AnalysisList#' }, ...errorResponses },
          },
        },
        async (request) => {
          const q = request.query as { limit: number; offset: number; q?: string };
          return store.list({ limit: q.limit, offset: q.offset, query: q.q ?? '' });
        },
      );

      api.get(
        '/stats',
        {
          schema: {
            summary: 'Technique counts by source and over time',
            tags: ['analyses'],
            response: { 200: { type: 'object', additionalProperties: true } },
          },
        },
        async () => ({
          bySource: store.techniquesBySource(),
          overTime: store.techniquesOverTime(),
          sources: store.sources(),
        }),
      );
    },
    { prefix: '/api/v1' },
  );

  const webRoot = join(PACKAGE_ROOT, 'web', 'dist');
  if (existsSync(join(webRoot, 'index.html'))) {
    await app.register(fastifyStatic, { root: webRoot, prefix: '/' });
  } else {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/plain')
        .send(
          'Spinscope API: the web UI is not built (npm run build). API at /api/v1/openapi.json\n',
        ),
    );
  }

  app.addHook('onClose', async () => {
    await Promise.all([pool.destroy(), html.extractor.close()]);
    store.close();
  });
  return app;
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
}

/** Build and listen; binds 127.0.0.1 unless told otherwise. */
export async function startServer(
  options: ServerOptions & { port?: number; host?: string },
): Promise<RunningServer> {
  const app = await buildServer(options);
  const url = await app.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1' });
  return { app, url };
}
