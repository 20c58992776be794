/**
 * Every error the server answers with is JSON in one shape, `{error: {code, message,
 * statusCode}}`, with a code from the catalogue (errors.ts) and the status the README
 * documents: Fastify's own errors (validation, body parsing, multipart limits), our
 * SpinscopeErrors, and the errors Node's HTTP parser raises before any route runs.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BusyError, SpinscopeError, systemError, type ErrorCode } from '../errors.js';

/** The HTTP status of each code the server answers with (400 for any other, unexpected). */
export const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  SPN_ERR_INPUT_EMPTY: 400,
  SPN_ERR_INPUT_TYPE: 400,
  SPN_ERR_BAD_REQUEST: 400,
  SPN_ERR_URL: 400,
  SPN_ERR_NOT_FOUND: 404,
  SPN_ERR_INPUT_TOO_LARGE: 413,
  SPN_ERR_REQUEST_LIMIT: 413,
  SPN_ERR_MEDIA_TYPE: 415,
  SPN_ERR_REQUEST_TIMEOUT: 408,
  SPN_ERR_HEADERS_TOO_LARGE: 431,
  SPN_ERR_INPUT_BINARY: 422,
  SPN_ERR_LABEL_OFFSET: 422,
  SPN_ERR_LABEL_TECHNIQUE: 422,
  SPN_ERR_LABEL_DUPLICATE: 422,
  SPN_ERR_INPUT_HTML: 422,
  SPN_ERR_HTML: 422,
  SPN_ERR_FETCH: 502,
  SPN_ERR_BUSY: 503,
  SPN_ERR_STORAGE: 507,
  SPN_ERR_INTERNAL: 500,
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route expects of a request, said in errors about its body. */
    expects?: string;
  }
}

function expectationOf(request: FastifyRequest): string {
  const expects = request.routeOptions.config?.expects;
  return expects ? `; ${expects}` : '';
}

/**
 * What busboy (under @fastify/multipart) throws, as plain Errors without a code, for a
 * multipart body it cannot parse: no boundary, an overlong one, a truncated body.
 */
const MALFORMED_MULTIPART =
  /^(Multipart: Boundary not found|The needle cannot have a length bigger than 256\.|.*unexpected end of multipart data)$/iu;

/** Fastify's and its plugins' errors, in the catalogue's terms (undefined: unexpected). */
function toSpinscopeError(
  error: FastifyError,
  request: FastifyRequest,
): SpinscopeError | undefined {
  if (error instanceof SpinscopeError) return error;
  const storage = systemError(error);
  if (storage?.code === 'SPN_ERR_STORAGE') return storage;
  const expected = expectationOf(request);
  if (error.validation) {
    return new SpinscopeError(
      'SPN_ERR_BAD_REQUEST',
      `invalid request: ${error.message}${expected}`,
    );
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return new SpinscopeError(
        'SPN_ERR_INPUT_TOO_LARGE',
        'the request body is over the size limit',
      );
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new SpinscopeError(
        'SPN_ERR_REQUEST_LIMIT',
        `the multipart request has too many parts: ${error.message}${expected}`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new SpinscopeError(
        'SPN_ERR_MEDIA_TYPE',
        `unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '')}${expected}`,
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_PROTO_VIOLATION':
    case 'FST_MP_PREMATURE_CLOSE':
      return new SpinscopeError('SPN_ERR_BAD_REQUEST', `malformed body: ${error.message}`);
    case 'ECONNRESET': // the client went away or timed out mid-body: not a fault of ours
      return new SpinscopeError('SPN_ERR_BAD_REQUEST', 'the request body was cut off');
    case 'FST_ERR_BAD_URL':
      return new SpinscopeError(
        'SPN_ERR_BAD_REQUEST',
        `the path is not valid percent-encoding: ${request.url.slice(0, 200)}`,
      );
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new SpinscopeError(
        'SPN_ERR_BAD_REQUEST',
        `a part of the path is too long: ${request.url.slice(0, 200)}`,
      );
  }
  if (MALFORMED_MULTIPART.test(error.message)) {
    return new SpinscopeError(
      'SPN_ERR_BAD_REQUEST',
      `malformed multipart body: ${error.message}${expected}`,
    );
  }
  if (error instanceof SyntaxError) {
    return new SpinscopeError('SPN_ERR_BAD_REQUEST', `malformed JSON: ${error.message}`);
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return new SpinscopeError('SPN_ERR_BAD_REQUEST', error.message);
  }
  return undefined;
}

function errorBody(code: ErrorCode, message: string, statusCode: number) {
  return { error: { code, message, statusCode } };
}

/**
 * Fastify's error handler (and its frameworkErrors handler, for paths it cannot decode):
 * every error as the catalogue's JSON. Every 5xx is logged with its request id and route,
 * never with the request's body; unexpected ones with their stack.
 */
export function handleError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const known = toSpinscopeError(error, request);
  const [code, message, statusCode]: [ErrorCode, string, number] = known
    ? [known.code, known.message, HTTP_STATUS[known.code] ?? 400]
    : ['SPN_ERR_INTERNAL', 'unexpected server error', 500];
  // A full queue (503) is the server working as meant, not a fault: not logged.
  if (statusCode >= 500 && code !== 'SPN_ERR_BUSY') {
    const where = { route: `${request.method} ${request.routeOptions.url ?? '(none)'}`, code };
    request.log.error(known ? where : { ...where, err: error }, message);
  }
  if (known instanceof BusyError) void reply.header('Retry-After', known.retryAfterSeconds);
  void reply.status(statusCode).send(errorBody(code, message, statusCode));
}

/** Any route that does not exist. */
export function handleNotFound(request: FastifyRequest, reply: FastifyReply): void {
  void reply
    .status(404)
    .send(
      errorBody(
        'SPN_ERR_NOT_FOUND',
        `no route ${request.method} ${request.url.slice(0, 200)}`,
        404,
      ),
    );
}

/**
 * Errors of Node's HTTP parser, before Fastify sees a request (headers or URL over the size
 * limit, a malformed request line), answered in the same JSON shape, then the socket closed.
 */
export function handleClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [statusCode, code, message]: [number, ErrorCode, string] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'SPN_ERR_HEADERS_TOO_LARGE',
          'the request headers or URL are over the size limit (16 KiB)',
        ]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'SPN_ERR_REQUEST_TIMEOUT', 'the request was not received in time']
        : [400, 'SPN_ERR_BAD_REQUEST', 'the request is not valid HTTP'];
  const body = JSON.stringify(errorBody(code, message, statusCode));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * A route's hook (onRequest) that refuses any other media type with 415 before the body is
 * read, saying what the route expects.
 */
export function requireMediaType(type: 'application/json' | 'multipart/form-data') {
  return async (request: FastifyRequest): Promise<void> => {
    const given = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (given !== type) {
      throw new SpinscopeError(
        'SPN_ERR_MEDIA_TYPE',
        `unsupported content type ${JSON.stringify(given)}${expectationOf(request)}`,
      );
    }
  };
}
