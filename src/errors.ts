/**
 * Every error Spinscope raises on purpose carries a stable code from this catalogue, so
 * that the CLI, the HTTP API and library users can tell failures apart without parsing
 * messages. Codes never change meaning once published.
 */
export const ERROR_CODES = {
  SPN_ERR_INPUT_EMPTY: 'the text is empty or only whitespace',
  SPN_ERR_INPUT_TOO_LARGE: 'the text is larger than the configured limit',
  SPN_ERR_INPUT_BINARY: 'the input is binary or not valid UTF-8',
  SPN_ERR_INPUT_TYPE: 'the input has the wrong type',
  SPN_ERR_INPUT_HTML:
    'an HTML page is over a budget of extraction (nesting depth, element count or time)',
  SPN_ERR_LABEL_FORMAT: 'a label file line is malformed',
  SPN_ERR_LABEL_OFFSET: 'a label offset is outside its article',
  SPN_ERR_LABEL_TECHNIQUE: 'a label names an unknown technique',
  SPN_ERR_LABEL_DUPLICATE: 'two labels of one article with the same technique overlap',
  SPN_ERR_ARTICLE_MISSING: 'a label names an article with no article file',
  SPN_ERR_CORPUS_LAYOUT: 'a corpus folder does not have the expected layout',
  SPN_ERR_SCORE_MISMATCH: 'predictions and gold labels cannot be paired for scoring',
  SPN_ERR_FILE_READ: 'a file or folder cannot be read',
  SPN_ERR_FILE_WRITE:
    'an output path cannot be written (a file where a folder belongs, a folder that is not empty, no permission)',
  SPN_ERR_STORAGE: 'the disk is full or the store cannot be written; nothing already saved is lost',
  SPN_ERR_MODEL: 'a model file is missing, corrupt or of an unsupported version',
  SPN_ERR_USAGE: 'a command was called with wrong arguments',
  SPN_ERR_LISTEN: 'the server cannot listen on that address and port (in use, not on this machine)',
  SPN_ERR_URL: 'a URL is malformed, not http(s), or points at a refused address',
  SPN_ERR_FETCH: 'fetching a URL failed (timeout, too large, bad status or content type)',
  SPN_ERR_HTML: 'no article text could be extracted from an HTML page',
  SPN_ERR_QUEUE: 'the job queue (Redis) cannot be reached or refused a command',
  SPN_ERR_BAD_REQUEST: 'an HTTP request is malformed (bad JSON, wrong types, missing fields)',
  SPN_ERR_MEDIA_TYPE: 'an HTTP request has an unsupported content type',
  SPN_ERR_REQUEST_LIMIT: 'an HTTP request has more parts, files or fields than allowed',
  SPN_ERR_REQUEST_TIMEOUT: 'an HTTP request was not received in time',
  SPN_ERR_HEADERS_TOO_LARGE: "an HTTP request's headers or URL are over the size limit",
  SPN_ERR_NOT_FOUND: 'no such analysis or route',
  SPN_ERR_BUSY:
    'the server has as many analyses waiting as it allows: retry after Retry-After seconds',
  SPN_ERR_INTERNAL: 'an unexpected server error',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorLocation {
  /** File the problem is in. */
  file?: string;
  /** 1-based line number in that file. */
  line?: number;
}

export class SpinscopeError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(code: ErrorCode, message: string, where: ErrorLocation = {}) {
    const place = where.file ? `${where.file}${where.line ? `:${where.line}` : ''}: ` : '';
    super(`${place}${message}`);
    this.name = 'SpinscopeError';
    this.code = code;
    this.file = where.file;
    this.line = where.line;
  }
}

/** The server's analyses are queued as long as it allows: retry after `retryAfterSeconds`. */
export class BusyError extends SpinscopeError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'SPN_ERR_BUSY',
      `the server is busy: articles ahead of this one need about ${retryAfterSeconds} s; retry after that`,
    );
  }
}

const FULL_DISK = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);
const WRITING = new Set(['mkdir', 'rename', 'rmdir', 'unlink', 'write', 'copyfile', 'symlink']);

/**
 * A failure of the system (a full disk, a missing or unwritable path) in the catalogue's
 * terms, so that neither the CLI nor the server shows a raw stack for it; undefined for
 * anything else. SpinscopeErrors come back as they are.
 */
export function systemError(error: unknown): SpinscopeError | undefined {
  if (error instanceof SpinscopeError) return error;
  const { code, path, syscall } = (error ?? {}) as {
    code?: unknown;
    path?: unknown;
    syscall?: unknown;
  };
  if (typeof code !== 'string') return undefined;
  if (FULL_DISK.has(code)) {
    return new SpinscopeError(
      'SPN_ERR_STORAGE',
      'the disk is full: free some space and try again (nothing already saved is lost)',
    );
  }
  if (typeof path !== 'string' || !code.startsWith('E')) return undefined;
  const reason = (error as Error).message.replace(/^[A-Z]+: /u, '').replace(/, \w+ '.*'$/u, '');
  return WRITING.has(String(syscall))
    ? new SpinscopeError('SPN_ERR_FILE_WRITE', `cannot write: ${reason}`, { file: path })
    : new SpinscopeError('SPN_ERR_FILE_READ', `cannot read: ${reason}`, { file: path });
}
