/**
 * The HTTP server: a versioned JSON API under /api/v1 (described by an OpenAPI document at
 * /api/v1/openapi.json), the web UI at /, analyses in a worker pool, results in the SQLite
 * store. `spinscope serve` and tests call `startServer`; nothing here is CLI-specific.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import pLimit from 'p-limit';
import { startAnalysisPool } from '../analysis-pool.js';
import { loadDetector } from '../analyze.js';
import { DEFAULT_MODEL_NAME, PACKAGE_ROOT } from '../config.js';
import { SpinscopeError } from '../errors.js';
import { HtmlExtractor } from '../formats/html-extractor.js';
import { AnalysisStore } from '../store/store.js';
import { DEFAULT_MAX_BYTES, validateText } from '../text/validate.js';
import type { ServerContext } from './context.js';
import { handleClientError, handleError, handleNotFound } from './http-errors.js';
import { configureRequestParsing } from './parsing.js';
import { analysesRoutes } from './routes/analyses.js';
import { analyzeRoutes } from './routes/analyze.js';
import { metaRoutes } from './routes/meta.js';
import {
  analysisSchema,
  errorSchema,
  listSchema,
  recordSchema,
  reviewStateSchema,
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

export type { AnalysisRecord } from '../types.js';

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
  const pool = await startAnalysisPool({ model, threads, maxBytes });
  // Piscina's own queue let some tasks wait seconds behind later ones under load; a FIFO
  // limiter in front of it hands out exactly as many tasks as there are threads, in order.
  const inOrder = pLimit(threads);

  // HTML pages are extracted in a thread of their own, within budgets, so that no page can
  // hold up the event loop (health checks, other requests).
  const html = { extractor: new HtmlExtractor({ timeoutMs: options.htmlTimeoutMs }) };

  // JSON bodies carry the article plus a little: the limit leaves room for escaping.
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: Math.ceil(maxBytes * 1.2) + 16 * 1024,
    clientErrorHandler: handleClientError,
  });
  configureRequestParsing(app);
  await documentApi(app);
  await app.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 5 } });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  const ctx: ServerContext = {
    model,
    modelName,
    modelVersion,
    header: detector.header,
    store,
    html,
    maxBytes,
    allowPrivateUrls: options.allowPrivateUrls ?? false,
    fetchTimeoutMs: options.fetchTimeoutMs ?? 10_000,
    async analyzeAndStore(input) {
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
    },
  };
  await app.register(
    async (api) => {
      await metaRoutes(api, ctx);
      await analyzeRoutes(api, ctx);
      await analysesRoutes(api, ctx);
    },
    { prefix: '/api/v1' },
  );

  await serveWebUi(app);

  app.addHook('onClose', async () => {
    await Promise.all([pool.destroy(), html.extractor.close()]);
    store.close();
  });
  return app;
}

/** The schemas every route refers to, and the OpenAPI document built from them. */
async function documentApi(app: FastifyInstance): Promise<void> {
  app.addSchema(errorSchema);
  app.addSchema(analysisSchema);
  app.addSchema(recordSchema);
  app.addSchema(summarySchema);
  app.addSchema(listSchema);
  app.addSchema(reviewStateSchema);
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
}

/** The web UI at / (or a note saying where the API is, when the UI is not built). */
async function serveWebUi(app: FastifyInstance): Promise<void> {
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
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
}

/** Why a server cannot listen, by the system's error code. */
const LISTEN_FAILURES: Record<string, string> = {
  EADDRINUSE: 'the port is in use (another server?): choose another port',
  EADDRNOTAVAIL: "the address is not one of this machine's: choose another host",
  EACCES: 'not permitted (ports below 1024 need privileges): choose another port',
  ENOTFOUND: 'no such host',
};

/** Build and listen; binds 127.0.0.1 unless told otherwise. */
export async function startServer(
  options: ServerOptions & { port?: number; host?: string },
): Promise<RunningServer> {
  const { port = 8080, host = '127.0.0.1' } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SpinscopeError(
      'SPN_ERR_USAGE',
      `the port must be a whole number from 1 to 65535 (or 0 for a free one), not ${port}`,
    );
  }
  const app = await buildServer(options);
  try {
    return { app, url: await app.listen({ port, host }) };
  } catch (error) {
    await app.close(); // its analysis threads would keep the process alive
    const reason = LISTEN_FAILURES[(error as { code?: string }).code ?? ''];
    if (reason === undefined) throw error;
    throw new SpinscopeError('SPN_ERR_LISTEN', `cannot listen on ${host}:${port}: ${reason}`);
  }
}
