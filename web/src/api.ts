/** Thin client for the Spinscope HTTP API on the same origin. */
import type {
  AnalysisList,
  AnalysisRecord,
  ApiErrorBody,
  CatalogueTechnique,
  ModelInfo,
  ReviewedSpan,
  ReviewState,
  Stats,
} from './types.js';

const BASE = '/api/v1';

/** An API failure; `message` is meant for the user. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(message: string, code: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(BASE + path, {
      ...init,
      headers: { accept: 'application/json', ...init?.headers },
    });
  } catch {
    throw new ApiError('Cannot reach the Spinscope server. Is it still running?', 'NETWORK', 0);
  }
  let body: unknown = undefined;
  try {
    body = await response.json();
  } catch {
    // Not JSON: handled below.
  }
  if (!response.ok) {
    if (isErrorBody(body)) {
      throw new ApiError(body.error.message, body.error.code, response.status);
    }
    throw new ApiError(
      `The server answered ${response.status} ${response.statusText}.`,
      'HTTP',
      response.status,
    );
  }
  if (body === undefined)
    throw new ApiError('The server sent an unreadable answer.', 'PARSE', response.status);
  return body as T;
}

function postJson<T>(path: string, payload: unknown): Promise<T> {
  return request<T>(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
}

export interface TextInput {
  text: string;
  title?: string;
  source?: string;
  date?: string;
  /** sm, md or lg; the server's default when absent. */
  model?: string;
}

export function analyzeText(input: TextInput): Promise<AnalysisRecord> {
  return postJson('/analyze', input);
}

export function analyzeFile(file: File, source?: string, model?: string): Promise<AnalysisRecord> {
  const form = new FormData();
  if (source) form.append('source', source);
  if (model) form.append('model', model);
  form.append('file', file, file.name);
  return request('/analyze/file', { method: 'POST', body: form });
}

export function analyzeUrl(url: string, model?: string): Promise<AnalysisRecord> {
  return postJson('/analyze/url', { url, ...(model && { model }) });
}

export interface ListQuery {
  limit?: number;
  offset?: number;
  q?: string;
  technique?: string;
  source?: string;
  reviewed?: boolean;
}

export function listAnalyses(query: ListQuery): Promise<AnalysisList> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return request(`/analyses${qs ? `?${qs}` : ''}`);
}

export function getAnalysis(id: string): Promise<AnalysisRecord> {
  return request(`/analyses/${encodeURIComponent(id)}`);
}

export function getReview(id: string): Promise<ReviewState> {
  return request(`/analyses/${encodeURIComponent(id)}/review`);
}

export function saveReview(
  id: string,
  review: { spans: readonly ReviewedSpan[]; reviewer?: string },
): Promise<ReviewState> {
  return request(`/analyses/${encodeURIComponent(id)}/review`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(review),
  });
}

export function getStats(): Promise<Stats> {
  return request('/stats');
}

export async function getTechniques(): Promise<CatalogueTechnique[]> {
  const body = await request<{ techniques: CatalogueTechnique[] }>('/techniques');
  return body.techniques;
}

/** The server's state: its default model, and the models a request may name. */
export function getHealth(): Promise<{ status: string; model: ModelInfo; models?: string[] }> {
  return request('/health');
}
