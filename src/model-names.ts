/** The shipped models' names (platform-free: the browser's detector reads them too). */

/**
 * The model used when none is named: `lg`, the most accurate of the shipped `sm`, `md` and
 * `lg` (see the README, "Models"), and as quick as the plain baseline on two cores. The
 * browser's default is `md` (web/src/device.ts): `lg` is a 35 MB download there.
 */
export const DEFAULT_MODEL_NAME = 'lg';

/** The shipped models, quickest first: the kinds `train --model` trains. */
export const SHIPPED_MODELS = ['sm', 'md', 'lg'] as const;

/** The shipped models' former names: still taken as input, and in their files' headers. */
const FORMER_NAMES = new Map([
  ['fast', 'sm'],
  ['accurate', 'md'],
]);

/** A model's name, with a former name (`fast`, `accurate`) read as today's (`sm`, `md`). */
export function modelName(name: string): string {
  return FORMER_NAMES.get(name) ?? name;
}

/** A model's name and the former names of the same model (`md`: `md`, `accurate`). */
export function namesOfModel(name: string): string[] {
  const today = modelName(name);
  return [today, ...[...FORMER_NAMES].filter(([, now]) => now === today).map(([old]) => old)];
}
