/**
 * JSON schemas of the HTTP API: Fastify validates requests with them and @fastify/swagger
 * turns them into the OpenAPI document. Responses are documented, not filtered
 * (`additionalProperties: true`), so that no field is dropped by accident.
 */
const nullableString = { type: ['string', 'null'] } as const;

/** Longest title or source, in code points, on every route that takes one. */
export const MAX_FIELD_LENGTH = 1000;

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  description: 'Every error: a stable code from the catalogue and a message for people.',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', examples: ['SPN_ERR_INPUT_EMPTY'] },
        message: { type: 'string' },
        statusCode: { type: 'integer' },
      },
      required: ['code', 'message', 'statusCode'],
    },
  },
  required: ['error'],
} as const;

const spanSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    start: { type: 'integer', description: 'code-point offset, inclusive' },
    end: { type: 'integer', description: 'code-point offset, exclusive' },
    text: { type: 'string' },
    confidence: {
      type: ['number', 'null'],
      minimum: 0,
      maximum: 1,
      description:
        "how likely the phrase uses any technique at all (calibrated); a part of each technique confidence; null in a person's review",
    },
    techniques: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          technique: { type: 'string' },
          id: { type: 'string' },
          name: { type: 'string' },
          confidence: {
            type: ['number', 'null'],
            description:
              'the confidence to show: how likely the phrase uses this technique, calibrated from the span confidence times the probability of the technique given the phrase; null in a person\'s review (shown as "reviewed")',
          },
        },
      },
    },
    cues: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          text: { type: 'string' },
          source: { type: 'string' },
          weight: { type: 'number' },
          start: { type: 'integer', description: 'a word of the span: its start (code points)' },
          end: { type: 'integer', description: 'a word of the span: its end (code points)' },
        },
      },
    },
  },
} as const;

export const analysisSchema = {
  $id: 'Analysis',
  type: 'object',
  additionalProperties: true,
  properties: {
    offsetUnit: { type: 'string', enum: ['codepoint'] },
    model: {
      type: 'object',
      properties: {
        name: {
          type: 'string',
          description: "sm, md or lg as shipped, or a trained model's own name (train --name)",
        },
        version: { type: 'string' },
      },
    },
    length: { type: 'integer', description: 'text length in code points' },
    title: { type: 'string' },
    spans: { type: 'array', items: spanSchema },
    sentences: { type: 'array', items: { type: 'object', additionalProperties: true } },
    document: { type: 'object', additionalProperties: true },
    timing: { type: 'object', additionalProperties: true },
  },
} as const;

export const recordSchema = {
  $id: 'AnalysisRecord',
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    cached: {
      type: 'boolean',
      description: 'true when this article was already analysed by this model',
    },
    contentHash: { type: 'string', description: 'sha256 of the UTF-8 text' },
    modelName: { type: 'string' },
    modelVersion: { type: 'string' },
    source: nullableString,
    title: nullableString,
    date: nullableString,
    createdAt: { type: 'string' },
    durationMs: { type: ['number', 'null'] },
    text: { type: 'string' },
    analysis: { $ref: 'Analysis#' },
    reviewed: {
      type: 'object',
      description:
        "present when analysis.spans are the latest review's (no confidences, no cues; counts follow the review, scores stay the model's)",
      properties: {
        by: { ...nullableString, description: 'the reviewer' },
        at: { type: 'string', description: 'ISO 8601 timestamp of the review' },
      },
    },
  },
} as const;

export const versionQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    version: {
      type: 'string',
      enum: ['reviewed', 'model'],
      default: 'reviewed',
      description: "model: the model's own spans even when a review exists",
    },
  },
} as const;

export const summarySchema = {
  $id: 'AnalysisSummary',
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    source: nullableString,
    title: nullableString,
    date: nullableString,
    createdAt: { type: 'string' },
    score: { type: 'number' },
    spans: { type: 'integer' },
    techniqueCounts: { type: 'object', additionalProperties: { type: 'integer' } },
    reviewed: { type: 'boolean', description: 'someone has saved a review of it' },
    snippet: { type: 'string', description: 'search matches between « and »' },
  },
} as const;

/** The model a request may name instead of the server's default (health lists them). */
const modelField = {
  type: 'string',
  maxLength: 64,
  description:
    "sm (quickest), md or lg (labels techniques best); former names fast and accurate too; default: the server's model",
} as const;

export const analyzeTextBody = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: {
    text: { type: 'string', description: 'the article: title, empty line, body; or plain text' },
    title: { type: 'string', maxLength: MAX_FIELD_LENGTH },
    source: { type: 'string', maxLength: MAX_FIELD_LENGTH },
    date: { type: 'string', maxLength: 64, description: 'publication date, ISO 8601' },
    model: modelField,
  },
} as const;

export const analyzeUrlBody = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: { url: { type: 'string', minLength: 1, maxLength: 4096 }, model: modelField },
} as const;

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 0, maximum: 500, default: 50 },
    offset: { type: 'integer', minimum: 0, default: 0 },
    q: {
      type: 'string',
      maxLength: 500,
      description: 'full-text search over title and text; no control characters (400)',
    },
    technique: { type: 'string', description: 'corpus label, e.g. Loaded_Language' },
    source: { type: 'string' },
    reviewed: { type: 'boolean', description: 'only analyses with (true) or without a review' },
  },
} as const;

const reviewedSpan = {
  type: 'object',
  additionalProperties: false,
  required: ['start', 'end', 'techniques'],
  properties: {
    start: { type: 'integer', description: 'code-point offset, inclusive' },
    end: { type: 'integer', description: 'code-point offset, exclusive' },
    techniques: {
      type: 'array',
      minItems: 1,
      maxItems: 14,
      items: { type: 'string', description: 'corpus label, e.g. Loaded_Language' },
    },
    accepted: {
      type: 'boolean',
      description:
        'true: the reviewer confirmed it as the model had it; false: corrected or added; kept as sent',
    },
  },
} as const;

export const reviewBody = {
  type: 'object',
  additionalProperties: false,
  required: ['spans'],
  properties: {
    spans: { type: 'array', maxItems: 10_000, items: reviewedSpan },
    reviewer: {
      type: 'string',
      maxLength: 200,
      description:
        'who reviewed; stored trimmed of leading and trailing white space (a byte order mark included), blank as null',
    },
  },
} as const;

export const reviewStateSchema = {
  $id: 'ReviewState',
  type: 'object',
  properties: {
    review: {
      type: ['object', 'null'],
      properties: {
        analysisId: { type: 'string' },
        reviewer: nullableString,
        reviewedAt: { type: 'string', description: 'ISO 8601 timestamp' },
        spans: { type: 'array', items: reviewedSpan },
      },
    },
    history: {
      type: 'array',
      description: 'every saved review, newest first',
      items: {
        type: 'object',
        properties: {
          reviewer: nullableString,
          reviewedAt: { type: 'string' },
          spans: { type: 'integer' },
        },
      },
    },
  },
} as const;

export const listSchema = {
  $id: 'AnalysisList',
  type: 'object',
  properties: {
    total: { type: 'integer' },
    items: { type: 'array', items: { $ref: 'AnalysisSummary#' } },
  },
} as const;

/** Every status http-errors.ts can answer with (502: a failed fetch, on /analyze/url). */
export const errorResponses = {
  400: { $ref: 'Error#' },
  404: { $ref: 'Error#' },
  408: { $ref: 'Error#' },
  413: { $ref: 'Error#' },
  415: { $ref: 'Error#' },
  422: { $ref: 'Error#' },
  431: { $ref: 'Error#' },
  500: { $ref: 'Error#' },
  502: { $ref: 'Error#' },
} as const;

/** Routes that store something: also a full disk (507). */
export const writeErrorResponses = { ...errorResponses, 507: { $ref: 'Error#' } } as const;

/** Routes that analyse: also a full analysis queue (503). */
export const analyzeErrorResponses = { ...writeErrorResponses, 503: { $ref: 'Error#' } } as const;
