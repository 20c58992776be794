/** Routes about the service itself: its OpenAPI document, health, catalogue and model card. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadModelHeader, resolveModelPath } from '../../analyze.js';
import { onnxRuntime } from '../../features/onnx-runtime.js';
import { TECHNIQUES } from '../../techniques/catalogue.js';
import type { ServerContext } from '../context.js';

export async function metaRoutes(api: FastifyInstance, ctx: ServerContext): Promise<void> {
  api.get('/openapi.json', { schema: { hide: true } }, async () => api.swagger());

  api.get(
    '/health',
    {
      schema: {
        summary: 'Health',
        description:
          "status; the default model's name (sm, md, lg, or a trained model's own) and version; the models a request may name; the engine the networks run on (`onnxruntime`, or `fallback`: TypeScript and WebAssembly, 3-5 times slower)",
        tags: ['meta'],
        response: { 200: { type: 'object', additionalProperties: true } },
      },
    },
    async () => {
      const { name, version } = ctx.models.default;
      const engine = (await onnxRuntime()) ? 'onnxruntime' : 'fallback';
      return { status: 'ok', model: { name, version }, models: ctx.models.names(), engine };
    },
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
      const cardFile = join(dirname(resolveModelPath(ctx.model)), 'card.json');
      return existsSync(cardFile)
        ? JSON.parse(readFileSync(cardFile, 'utf8'))
        : { model: loadModelHeader(ctx.model) };
    },
  );
}
