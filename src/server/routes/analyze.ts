/** Routes that analyse an article: from JSON text, an uploaded file, or a URL. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HTML_FACTOR } from '../../config.js';
import { SpinscopeError } from '../../errors.js';
import { articleFromBytes, articleFromUrl } from '../../formats/article-input.js';
import type { ServerContext } from '../context.js';
import { requireMediaType } from '../http-errors.js';
import { codePointLength } from '../../text/offsets.js';
import {
  analyzeErrorResponses,
  analyzeTextBody,
  analyzeUrlBody,
  MAX_FIELD_LENGTH,
} from '../schemas.js';

interface Upload {
  bytes: Buffer;
  filename: string;
  mimetype: string;
}

const analyzeResponses = { 200: { $ref: 'AnalysisRecord#' }, ...analyzeErrorResponses };

/** An uploaded file and the form's "source" and "model" fields, from a multipart request. */
async function readUpload(
  request: FastifyRequest,
): Promise<{ upload: Upload; source: unknown; model: string | undefined }> {
  // Every part is read, so the fields may come before or after the file.
  let upload: Upload | undefined;
  let source: unknown;
  let model: string | undefined;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer(); // read even when unused, to reach later parts
      upload ??= { bytes, filename: part.filename, mimetype: part.mimetype };
    } else if (part.fieldname === 'source') {
      // Capped as on the JSON route (busboy cuts a field over its byte limit short).
      if (part.valueTruncated || codePointLength(String(part.value)) > MAX_FIELD_LENGTH)
        throw new SpinscopeError(
          'SPN_ERR_BAD_REQUEST',
          `the field "source" is longer than ${MAX_FIELD_LENGTH} characters`,
        );
      source = part.value;
    } else if (part.fieldname === 'model') {
      model = String(part.value);
    }
  }
  if (!upload)
    throw new SpinscopeError(
      'SPN_ERR_BAD_REQUEST',
      'send the article as a multipart field named "file"',
    );
  return { upload, source, model };
}

export async function analyzeRoutes(api: FastifyInstance, ctx: ServerContext): Promise<void> {
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
        model?: string;
      };
      const { model, ...article } = body;
      return ctx.analyzeAndStore(article, model);
    },
  );

  api.post(
    '/analyze/file',
    {
      config: {
        expects:
          'send multipart/form-data with one file part named "file" (.txt or .html) and optional fields "source" and "model"',
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
      const { upload, source, model } = await readUpload(request);
      ctx.models.get(model); // an unknown model is refused before the page is read
      const name = upload.filename || 'upload.txt';
      const article = await articleFromBytes(upload.bytes, name, ctx.html, upload.mimetype);
      // Charts group by source: the form's, else the page's site name, never the file's name.
      const site = article.source === name ? undefined : article.source;
      return ctx.analyzeAndStore(
        {
          ...article,
          source: typeof source === 'string' && source ? source : site,
        },
        model,
      );
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
      const { url, model } = request.body as { url: string; model?: string };
      ctx.models.get(model); // an unknown model is refused before anything is fetched
      const article = await articleFromUrl(url, ctx.html, {
        allowPrivate: ctx.allowPrivateUrls,
        maxBytes: ctx.maxBytes * HTML_FACTOR,
        timeoutMs: ctx.fetchTimeoutMs,
      });
      return ctx.analyzeAndStore(article, model);
    },
  );
}
