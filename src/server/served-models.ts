/**
 * The models a server analyses with: the one it was started with (the default, warm before
 * it listens), and any other shipped model a request names (`sm`, `md`, `lg`, or a former
 * name), whose threads start on its first request. A request cannot name a file path: only
 * whoever starts the server chooses files.
 */
import { loadModelHeader } from '../analyze.js';
import { modelName, SHIPPED_MODELS } from '../config.js';
import { SpinscopeError } from '../errors.js';
import { AnalysisLanes, type AnalysisLanesOptions } from './analysis-lanes.js';

/** A model as the store knows it (name and version) and the threads that run it. */
export interface ServedModel {
  name: string;
  version: string;
  lanes: Promise<AnalysisLanes>;
}

export class ServedModels {
  private readonly served = new Map<string, ServedModel>();
  readonly default: ServedModel;

  private constructor(
    defaultModel: string,
    defaultLanes: AnalysisLanes,
    private readonly settings: Omit<AnalysisLanesOptions, 'model'>,
  ) {
    this.default = { ...identity(defaultModel), lanes: Promise.resolve(defaultLanes) };
    this.served.set(this.default.name, this.default);
  }

  static async start(
    model: string,
    settings: Omit<AnalysisLanesOptions, 'model'>,
  ): Promise<ServedModels> {
    identity(model); // a missing or broken model fails before any thread starts
    return new ServedModels(model, await AnalysisLanes.start({ ...settings, model }), settings);
  }

  /** The names a request may give: the shipped models, and the default's own name. */
  names(): string[] {
    return [...new Set([...SHIPPED_MODELS, this.default.name])];
  }

  /** The model a request names (undefined: the default); SPN_ERR_BAD_REQUEST for others. */
  get(requested?: string): ServedModel {
    if (requested === undefined) return this.default;
    const name = modelName(requested);
    let model = this.served.get(name);
    if (!model) {
      if (!(SHIPPED_MODELS as readonly string[]).includes(name)) {
        throw new SpinscopeError(
          'SPN_ERR_BAD_REQUEST',
          `no model "${requested}" here: choose one of ${this.names().join(', ')}`,
        );
      }
      const lanes = AnalysisLanes.start({ ...this.settings, model: name });
      model = { ...identity(name), lanes };
      this.served.set(name, model);
      lanes.catch(() => this.served.delete(name)); // a failed start is tried again next time
    }
    return model;
  }

  async close(): Promise<void> {
    const started = await Promise.allSettled([...this.served.values()].map((m) => m.lanes));
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
  }
}

/** A model's name and version, from its file's header (loaded once per process). */
function identity(model: string): { name: string; version: string } {
  const header = loadModelHeader(model);
  return { name: header.name, version: header.version };
}
