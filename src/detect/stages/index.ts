/**
 * Every stage a model file can list, by name. Adding a stage is one file in this folder and
 * one line here.
 */
import { SpinscopeError } from '../../errors.js';
import type { Stage, StagePlugin, StageSource } from '../stage.js';
import { linear } from './linear.js';
import { neural } from './neural.js';
import { sentenceHead } from './sentence-head.js';

const STAGES: readonly StagePlugin[] = [linear, neural, sentenceHead];

/** The stages a model file lists, made from its tensors and header parts, in order. */
export function loadStages(names: readonly string[], source: StageSource, file: string): Stage[] {
  return names.flatMap((name) => {
    const plugin = STAGES.find((p) => p.name === name);
    if (!plugin)
      throw new SpinscopeError('SPN_ERR_MODEL', `lists a stage this Spinscope lacks: ${name}`, {
        file,
      });
    return plugin.load(source);
  });
}
