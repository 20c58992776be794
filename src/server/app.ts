/**
 * The HTTP server: a versioned JSON API under /api/v1 (described by an OpenAPI document at
 * /api/v1/openapi.json), the web UI at /, analyses in a worker pool, results in the SQLite
 * store. `spinscope serve` and tests call `startServer`; nothing here is CLI-specific.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type LogLevel } from 'fastify';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import { DEFAULT_MODEL_NAME, PACKAGE_ROOT } from '../config.js';
import { SpinscopeError } from '../errors.js';
import { HtmlExtractor } from '../formats/html-extractor.js';
import { AnalysisStore } from '../store/store.js';
import { DEFAULT_MAX_BYTES, validateText } from '../text/validate.js';
import type { ServerContext } from './context.js';
import { ServedModels } from './served-models.js';
import { handleClientError, handleError, handleNotFound } from './http-errors.js';
import { configureRequestParsing } from './parsing.js';
import { analysesRoutes } from './routes/analyses.js';
import { analyzeRoutes } from './routes/analyze.js';
import { metaRoutes } from './routes/meta.js';
import {
  analysisSchema,
  errorSchema,
  listSchema,
  MAX_FIELD_LENGTH,
  recordSchema,
  reviewStateSchema,
  summarySchema,
} from './schemas.js';

export interface ServerOptions {
  /** SQLite file of the store. */
  dbFile: string;
  /** Model name or path (default `lg`). */
  model?: string;
  /** Largest article in bytes (default 2 MiB); request bodies a little more. */
  maxBytes?: number;
  /** Allow URLs that resolve to private or loopback addresses (default false). */
  allowPrivateUrls?: boolean;
  /** Analysis threads for ordinary articles (default: one per core, less one for the event loop, at least 1); long articles get one more. */
  workers?: number;
  /** Articles longer than this many characters are analysed in a lane of their own (default 20,000). */
  longChars?: number;
  /** Longest expected wait for an analysis before the server answers 503 (default 15 s). */
  maxWaitMs?: number;
  /** Fetch deadline for /analyze/url in ms (default 10 s). */
  fetchTimeoutMs?: number;
  /** Longest extraction of one HTML page in ms (default 5 s); over it, 422. */
  htmlTimeoutMs?: number;
  /** Longest wait for a request's headers in ms (default 10 s); over it, 408. */
  headersTimeoutMs?: number;
  /** Longest wait for a whole request, body included, in ms (default 30 s); over it, 408. */
  requestTimeoutMs?: number;
  /**
   * Fastify's pino logging: its level (default `warn`: every 5xx with its request id and
   * route, no request lines) and where lines go (default stderr); false for none.
   */
  logger?: false | { level?: LogLevel; stream?: { write(line: string): void } };
}

export type { AnalysisRecord } from '../types.js';

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const model = options.model ?? DEFAULT_MODEL_NAME;
  // The event loop (HTTP, JSON, SQLite) needs a core of its own: on 2 cores, 1 worker gives
  // a p95 of 165 ms under 20 clients where 2 workers give 500 ms (npm run bench:latency).
  const threads = options.workers ?? Math.max(1, availableParallelism() - 1);
  const models = await ServedModels.start(model, {
    threads,
    maxBytes,
    longChars: options.longChars,
    maxWaitMs: options.maxWaitMs,
  });
  const store = AnalysisStore.open(options.dbFile);

  // HTML pages are extracted in a thread of their own, within budgets, so that no page can
  // hold up the event loop (health checks, other requests).
  const html = { extractor: new HtmlExtractor({ timeoutMs: options.htmlTimeoutMs }) };

  const app = createApp(options, maxBytes);
  configureRequestParsing(app);
  await documentApi(app);
  // A field holds at most MAX_FIELD_LENGTH code points of UTF-8, 4 bytes each.
  await app.register(multipart, {
    limits: { fileSize: maxBytes, files: 1, fields: 5, fieldSize: 4 * MAX_FIELD_LENGTH },
  });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  const ctx: ServerContext = {
    model,
    models,
    store,
    html,
    maxBytes,
    allowPrivateUrls: options.allowPrivateUrls ?? false,
    fetchTimeoutMs: options.fetchTimeoutMs ?? 10_000,
    async analyzeAndStore(input, requested) {
      const served = models.get(requested);
      const text = validateText(input.text, { maxBytes });
      const contentHash = AnalysisStore.contentHash(text);
      const existing = store.find(contentHash, served.name, served.version);
      if (existing) return { ...store.shown(existing.id)!, cached: true };
      const started = performance.now();
      const analysis = await (await served.lanes).analyze(text);
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
    await Promise.all([models.close(), html.extractor.close()]);
    store.close();
  });
  return app;
}

/** Fastify with its logging, body limit and timeouts (slow clients get 408, not a socket). */
function createApp(options: ServerOptions, maxBytes: number): FastifyInstance {
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  // Node refuses a headers timeout longer than the whole request's.
  const headersTimeout = Math.min(options.headersTimeoutMs ?? 10_000, requestTimeout);
  return Fastify({
    logger:
      options.logger === false
        ? false
        : { level: 'warn', stream: process.stderr, ...options.logger },
    // JSON bodies carry the article plus a little: the limit leaves room for escaping.
    bodyLimit: Math.ceil(maxBytes * 1.2) + 16 * 1024,
    // Slow clients get 408 (handleClientError) rather than holding a socket: Node checks
    // its timeouts only every connectionsCheckingInterval (30 s unless told).
    requestTimeout,
    http: {
      headersTimeout,
      requestTimeout,
      connectionsCheckingInterval: Math.min(1000, headersTimeout),
    },
    clientErrorHandler: handleClientError,
    frameworkErrors: handleError,
  });
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

/**
 * The web UI at / (or a note saying where the API is, when the UI is not built), and the
 * model files at /models/ for the page's "analyse on this device" (its Web Worker fetches
 * them): from the package's models/, which the npm package ships once (not in web/dist/).
 */
async function serveWebUi(app: FastifyInstance): Promise<void> {
  const webRoot = join(PACKAGE_ROOT, 'web', 'dist');
  if (existsSync(join(webRoot, 'index.html'))) {
    await app.register(fastifyStatic, { root: webRoot, prefix: '/' });
    await app.register(fastifyStatic, {
      root: join(PACKAGE_ROOT, 'models'),
      prefix: '/models/',
      decorateReply: false,
      // Model files and their side files only (not the cards or word lists).
      allowedPath: (path) => path.endsWith('.bin'),
      schemaHide: true,
    });
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
