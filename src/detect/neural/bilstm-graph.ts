/**
 * The md model's BiLSTMs on ONNX Runtime: the same weights written out as ONNX graphs
 * (ONNX's LSTM operator; all the sequences of an article in one batch), several times faster
 * than the plain TypeScript loops of bilstm.ts, which stay the engine where ONNX Runtime is
 * not installed. Results agree to float rounding (the TypeScript BiLSTM computes in doubles
 * with a rational tanh; tests bound the difference).
 */
import { OnnxGraph } from '../../features/onnx-graph.js';
import type { OnnxRuntime } from '../../features/onnx-runtime.js';
import type { BiLstmWeights, LstmWeights } from './bilstm.js';
import type { NeuralTaggerWeights } from './tagger.js';

/** ONNX's gate order (input, output, forget, cell) as indices into the stored order (i, f, c, o). */
const ONNX_GATES = [0, 3, 1, 2];

/** One direction's weights in ONNX's layout: W [4H x inputs], R [4H x H], bias [8H]. */
function onnxLayout(w: LstmWeights, inputs: number, hidden: number) {
  const gates = 4 * hidden;
  const kernel = new Float32Array(gates * inputs);
  const recurrent = new Float32Array(gates * hidden);
  const bias = new Float32Array(2 * gates); // the recurrence's bias (second half) is zero
  ONNX_GATES.forEach((stored, gate) => {
    for (let u = 0; u < hidden; u++) {
      const row = gate * hidden + u;
      const column = stored * hidden + u;
      for (let i = 0; i < inputs; i++) kernel[row * inputs + i] = w.kernel[i * gates + column]!;
      for (let k = 0; k < hidden; k++)
        recurrent[row * hidden + k] = w.recurrent[k * gates + column]!;
      bias[row] = w.bias[column]!;
    }
  });
  return { kernel, recurrent, bias };
}

/**
 * A BiLSTM over the graph inputs `x` (float [steps, sequences, inputs], time-major, zero past
 * a sequence's end) and `lengths` (int32 [sequences]): its states [steps, sequences, 2H],
 * forward then backward, as bilstm.ts gives them.
 */
function bilstmStates(g: OnnxGraph, w: BiLstmWeights, name: string): string {
  const { inputs, hidden } = w;
  const [forward, backward] = [w.forward, w.backward].map((d) => onnxLayout(d, inputs, hidden)) as [
    ReturnType<typeof onnxLayout>,
    ReturnType<typeof onnxLayout>,
  ];
  const both = (part: 'kernel' | 'recurrent' | 'bias', dims: number[]) => {
    const joined = new Float32Array(2 * forward[part].length);
    joined.set(forward[part]);
    joined.set(backward[part], forward[part].length);
    return g.constant(`${name}.${part}`, joined, [2, ...dims]);
  };
  const states = g.node(
    'LSTM',
    [
      'x',
      both('kernel', [4 * hidden, inputs]),
      both('recurrent', [4 * hidden, hidden]),
      both('bias', [8 * hidden]),
      'lengths',
    ],
    { direction: 'bidirectional', hidden_size: hidden },
  );
  // [steps, 2, sequences, H] to [steps, sequences, 2H].
  return g.node('Reshape', [
    g.node('Transpose', [states], { perm: [0, 2, 1, 3] }),
    g.ints([0, 0, 2 * hidden]),
  ]);
}

const sequenceInputs = (inputs: number) => ({
  x: { type: 'float' as const, dims: ['steps', 'sequences', inputs] },
  lengths: { type: 'int32' as const, dims: ['sequences'] },
});

/** The taggers' graph: `probabilities` ([steps, sequences], the taggers' mean). */
export function taggerGraph(taggers: readonly NeuralTaggerWeights[]): Uint8Array {
  const g = new OnnxGraph();
  const { inputs, hidden } = taggers[0]!.encoder;
  const outputs = taggers.map((tagger, k) => {
    const joined = bilstmStates(g, tagger.encoder, `tagger${k}`);
    const output = g.constant(`tagger${k}.output`, tagger.output, [2 * hidden, 1]);
    return g.node('Sigmoid', [
      g.node('Add', [g.node('MatMul', [joined, output]), g.scalar(tagger.outputBias)]),
    ]);
  });
  const sum = outputs.reduce((a, b) => g.node('Add', [a, b]));
  const mean = g.node('Div', [sum, g.scalar(taggers.length)]);
  g.output('probabilities', g.node('Squeeze', [mean, g.ints([2])]));
  return g.encode('spinscope-taggers', sequenceInputs(inputs), {
    probabilities: { type: 'float', dims: ['steps', 'sequences'] },
  });
}

/** The span classifier's BiLSTM: its `states` ([steps, sequences, 2H]). */
export function classifierGraph(encoder: BiLstmWeights): Uint8Array {
  const g = new OnnxGraph();
  g.output('states', bilstmStates(g, encoder, 'classifier'));
  return g.encode('spinscope-span-classifier', sequenceInputs(encoder.inputs), {
    states: { type: 'float', dims: ['steps', 'sequences', 2 * encoder.hidden] },
  });
}

type Session = Awaited<ReturnType<OnnxRuntime['InferenceSession']['create']>>;

/** Sequences run in one call at most: an article's, unless it is huge. */
const BATCH = 256;

/**
 * What one more call costs, in padded rows: a call runs every sequence to its longest's
 * length, so sequences of unlike lengths are cheaper apart, up to this.
 */
const CALL_ROWS = 64;

/**
 * Sequences in batches of like length: their indices, shortest first, split where the padding
 * saved outweighs a call (`CALL_ROWS`), at most BATCH a batch. The cheapest split of the sorted
 * lengths, by dynamic programming over where each batch ends.
 */
export function lengthBatches(lengths: readonly number[], callRows = CALL_ROWS): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]!);
  const n = order.length;
  const cost = new Float64Array(n + 1).fill(Infinity);
  const from = new Int32Array(n + 1);
  cost[0] = 0;
  for (let end = 1; end <= n; end++) {
    const longest = lengths[order[end - 1]!]!;
    for (let start = Math.max(0, end - BATCH); start < end; start++) {
      const c = cost[start]! + (end - start) * longest + callRows;
      if (c < cost[end]!) {
        cost[end] = c;
        from[end] = start;
      }
    }
  }
  const batches: number[][] = [];
  for (let end = n; end > 0; end = from[end]!) batches.unshift(order.slice(from[end], end));
  return batches;
}

/** A graph over sequences of rows on ONNX Runtime: `run` batches them, time-major. */
export class OnnxSequences {
  private constructor(
    private readonly ort: OnnxRuntime,
    private readonly session: Session,
    private readonly inputs: number,
  ) {}

  static async create(ort: OnnxRuntime, graph: Uint8Array, inputs: number): Promise<OnnxSequences> {
    const session = await ort.InferenceSession.create(graph, {
      // One article's sequences are one batch: a second thread would wait on the first.
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
    });
    return new OnnxSequences(ort, session, inputs);
  }

  /**
   * The graph's `output` ([steps, sequences, width], time-major) for each of `sequences`
   * (each [rows x inputs]), as [rows x width] rows in the sequence's order. Sequences go in
   * batches of like length (`lengthBatches`), so that memory stays that of a few articles
   * and little is spent on padding.
   */
  async run(sequences: readonly Float32Array[], output: string): Promise<Float32Array[]> {
    const outputs = new Array<Float32Array>(sequences.length);
    const lengths = sequences.map((s) => s.length / this.inputs);
    for (const batch of lengthBatches(lengths)) {
      const rows = await this.runBatch(
        batch.map((i) => sequences[i]!),
        output,
      );
      batch.forEach((i, b) => (outputs[i] = rows[b]!));
    }
    return outputs;
  }

  private async runBatch(
    sequences: readonly Float32Array[],
    output: string,
  ): Promise<Float32Array[]> {
    const { inputs } = this;
    const count = sequences.length;
    const lengths = Int32Array.from(sequences, (s) => s.length / inputs);
    const steps = Math.max(...lengths);
    const batch = new Float32Array(steps * count * inputs);
    sequences.forEach((rows, b) => {
      for (let t = 0; t < lengths[b]!; t++)
        batch.set(rows.subarray(t * inputs, (t + 1) * inputs), (t * count + b) * inputs);
    });
    const { Tensor } = this.ort;
    const result = await this.session.run({
      x: new Tensor('float32', batch, [steps, count, inputs]),
      lengths: new Tensor('int32', lengths, [count]),
    });
    const data = result[output]!.data as Float32Array;
    const width = data.length / (steps * count);
    return sequences.map((_, b) => {
      const rows = new Float32Array(lengths[b]! * width);
      for (let t = 0; t < lengths[b]!; t++)
        rows.set(data.subarray((t * count + b) * width, (t * count + b + 1) * width), t * width);
      return rows;
    });
  }
}
