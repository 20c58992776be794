/** Routes over the stored analyses: listing with search and filters, one analysis, statistics. */
import type { FastifyInstance } from 'fastify';
import { SpinscopeError } from '../../errors.js';
import { isTechniqueLabel } from '../../techniques/catalogue.js';
import type { ServerContext } from '../context.js';
import {
  errorResponses,
  listQuery,
  reviewBody,
  versionQuery,
  writeErrorResponses,
} from '../schemas.js';
import type { ReviewInput } from '../../store/store.js';
import type { AnalysisList } from '../../types.js';

const analyzeResponses = { 200: { $ref: 'AnalysisRecord#' }, ...errorResponses };

/** The search words, refused when they hold a control character (SQLite's FTS5 fails on NUL). */
function searchText(q: string | undefined): string | undefined {
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  const control = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/u.exec(q ?? '');
  if (control) {
    const codePoint = control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new SpinscopeError(
      'SPN_ERR_BAD_REQUEST',
      `the search query "q" holds a control character (U+${codePoint}): send words only`,
    );
  }
  return q;
}

/** The query of GET /analyses, with the defaults of its schema (listQuery) filled in. */
interface ListParams {
  limit: number;
  offset: number;
  q?: string;
  technique?: string;
  source?: string;
  reviewed?: boolean;
}

function listAnalyses(ctx: ServerContext, q: ListParams): AnalysisList {
  if (q.technique !== undefined && !isTechniqueLabel(q.technique)) {
    throw new SpinscopeError('SPN_ERR_BAD_REQUEST', `unknown technique "${q.technique}"`);
  }
  return ctx.store.list({
    limit: q.limit,
    offset: q.offset,
    query: searchText(q.q),
    technique: q.technique,
    source: q.source,
    reviewed: q.reviewed,
  });
}

const idParams = {
  type: 'object',
  properties: { id: { type: 'string', maxLength: 64 } },
  required: ['id'],
} as const;

// Routes are registered in the order the OpenAPI document lists them.
export async function analysesRoutes(api: FastifyInstance, ctx: ServerContext): Promise<void> {
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
    async (request) => listAnalyses(ctx, request.query as ListParams),
  );

  reviewRoutes(api, ctx);

  api.get(
    '/analyses/:id',
    {
      schema: {
        summary: "One stored analysis: its review's spans when it has one, else the model's",
        tags: ['analyses'],
        params: idParams,
        querystring: versionQuery,
        response: analyzeResponses,
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const { version } = request.query as { version: 'reviewed' | 'model' };
      const record = version === 'model' ? ctx.store.get(id) : ctx.store.shown(id);
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
      return ctx.store.list({ limit: q.limit, offset: q.offset, query: searchText(q.q) ?? '' });
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
      bySource: ctx.store.techniquesBySource(),
      overTime: ctx.store.techniquesOverTime(),
      sources: ctx.store.sources(),
    }),
  );
}

/** An analysis's review: read it, with its history, and save a new one. */
function reviewRoutes(api: FastifyInstance, ctx: ServerContext): void {
  api.get(
    '/analyses/:id/review',
    {
      schema: {
        summary: "An analysis's current review (null if none) and its history",
        tags: ['reviews'],
        params: idParams,
        response: { 200: { $ref: 'ReviewState#' }, ...errorResponses },
      },
    },
    async (request) => ctx.store.review((request.params as { id: string }).id),
  );

  api.put(
    '/analyses/:id/review',
    {
      schema: {
        summary:
          'Save a review: the spans as a person accepted, corrected or added them (code points); the model output and earlier reviews are kept',
        tags: ['reviews'],
        params: idParams,
        body: reviewBody,
        response: { 200: { $ref: 'ReviewState#' }, ...writeErrorResponses },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      ctx.store.saveReview(id, request.body as ReviewInput);
      return ctx.store.review(id);
    },
  );
}
