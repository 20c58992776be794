import { evaluate, type Evaluation, type EvaluateOptions } from '../../eval/evaluate.js';
import type { Sink } from '../sink.js';
import { fixed, formatTable } from '../table.js';

/** `spinscope evaluate`: the scores as a report, or as JSON. */
export async function evaluateAction(
  options: EvaluateOptions & { json: boolean },
  out: Sink,
): Promise<void> {
  const { json, ...evaluation } = options;
  const result = await evaluate(evaluation);
  out(json ? `${JSON.stringify(result, null, 2)}\n` : `${formatEvaluation(result)}\n`);
}

/** The human-readable report of an evaluation; its last line is the headline. */
export function formatEvaluation(result: Evaluation): string {
  const out: string[] = [];
  if (result.task === 'si' || result.task === 'full') {
    const si = result.si;
    out.push(
      'Span identification (SI, official scorer, predicted spans merged)',
      formatTable(
        ['precision', 'recall', 'F1', 'gold spans', 'predicted spans'],
        [
          [
            fixed(si.precision),
            fixed(si.recall),
            fixed(si.f1),
            String(si.goldSpans),
            String(si.predictedSpans),
          ],
        ],
      ),
      '',
    );
  }
  if (result.task === 'tc') {
    const tc = result.tc;
    out.push(
      `Technique classification (TC, ${tc.pairing} pairing of multi-label spans)`,
      formatTable(
        ['technique', 'gold', 'predicted', 'P', 'R', 'F1'],
        tc.perTechnique.map((t) => [
          t.technique,
          String(t.support),
          String(t.predicted),
          fixed(t.precision),
          fixed(t.recall),
          fixed(t.f1),
        ]),
      ),
      '',
      `correct ${tc.correct} of ${tc.instances}   macro-F1 ${fixed(tc.macroF1)}${macroNote(tc.perTechnique)}`,
    );
  }
  if (result.task === 'full') {
    const full = result.full;
    out.push(
      'Full task (spans with techniques; SI formula per technique, micro-averaged)',
      formatTable(
        ['technique', 'gold spans', 'predicted spans', 'P', 'R', 'F1'],
        full.perTechnique.map((t) => [
          t.technique,
          String(t.goldSpans),
          String(t.predictedSpans),
          fixed(t.precision),
          fixed(t.recall),
          fixed(t.f1),
        ]),
      ),
      '',
      `micro P ${fixed(full.micro.precision)}   micro R ${fixed(full.micro.recall)}   macro-F1 ${fixed(full.macroF1)}`,
    );
  }
  out.push(result.headline);
  return out.join('\n');
}

/**
 * Why TC macro-F1 can sit below a perfect micro-F1: like the official scorer it averages all
 * 14 techniques, and a technique with neither gold nor predicted labels scores 0.
 */
function macroNote(perTechnique: readonly { support: number; predicted: number }[]): string {
  const absent = perTechnique.filter((t) => t.support === 0 && t.predicted === 0).length;
  return absent === 0
    ? ''
    : ` (over all ${perTechnique.length} techniques; ${absent} with no gold or predicted label count as 0)`;
}
