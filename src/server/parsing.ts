/**
 * How the server reads requests: JSON bodies strictly (bytes decoded as UTF-8 or refused,
 * values validated without coercion), query strings with coercion (they arrive as text).
 */
import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';
import type { SpinscopeError } from '../errors.js';
import { decodeText } from '../formats/files.js';

export function configureRequestParsing(app: FastifyInstance): void {
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
}
