/**
 * A bidirectional LSTM, forward pass only, in plain TypeScript: the accurate model's encoder
 * at run time (training runs in TensorFlow.js, see tfjs.ts, with the same layout).
 *
 * Per direction: input kernel [inputs x 4H], recurrent kernel [H x 4H], bias [4H], gates in
 * the order input, forget, candidate, output. Kernels are stored input-major so that each
 * input adds one contiguous row to the gate sums; zero inputs (most hand features) are skipped.
 */

export interface LstmWeights {
  /** [inputs * 4H] */
  readonly kernel: Float32Array;
  /** [H * 4H] */
  readonly recurrent: Float32Array;
  /** [4H] */
  readonly bias: Float32Array;
}

export interface BiLstmWeights {
  readonly inputs: number;
  readonly hidden: number;
  readonly forward: LstmWeights;
  readonly backward: LstmWeights;
}

/** The tensors of a BiLSTM, by name, for the model file. */
export function bilstmTensors(prefix: string, w: BiLstmWeights): [string, Float32Array][] {
  return (['forward', 'backward'] as const).flatMap((dir) => [
    [`${prefix}.${dir}.kernel`, w[dir].kernel] as [string, Float32Array],
    [`${prefix}.${dir}.recurrent`, w[dir].recurrent] as [string, Float32Array],
    [`${prefix}.${dir}.bias`, w[dir].bias] as [string, Float32Array],
  ]);
}

/** A BiLSTM from the model file's tensors; throws when one is missing or has the wrong size. */
export function bilstmFromTensors(
  prefix: string,
  inputs: number,
  hidden: number,
  tensors: ReadonlyMap<string, Float32Array>,
): BiLstmWeights {
  const get = (name: string, length: number): Float32Array => {
    const t = tensors.get(`${prefix}.${name}`);
    if (!t || t.length !== length) throw new Error(`tensor ${prefix}.${name} is missing or wrong`);
    return t;
  };
  const lstm = (dir: string): LstmWeights => ({
    kernel: get(`${dir}.kernel`, inputs * 4 * hidden),
    recurrent: get(`${dir}.recurrent`, hidden * 4 * hidden),
    bias: get(`${dir}.bias`, 4 * hidden),
  });
  return { inputs, hidden, forward: lstm('forward'), backward: lstm('backward') };
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * Run one direction over rows [start, end) of x ([n x inputs]), writing hidden states into
 * out ([n x 2H]) at column offset `column`.
 */
function runDirection(
  w: LstmWeights,
  inputs: number,
  hidden: number,
  x: Float32Array,
  start: number,
  end: number,
  reverse: boolean,
  out: Float32Array,
  column: number,
): void {
  const gates = 4 * hidden;
  const z = new Float32Array(gates);
  const h = new Float32Array(hidden);
  const c = new Float32Array(hidden);
  const { kernel, recurrent, bias } = w;
  for (let step = 0; step < end - start; step++) {
    const t = reverse ? end - 1 - step : start + step;
    z.set(bias);
    const xo = t * inputs;
    for (let d = 0; d < inputs; d++) {
      const v = x[xo + d] as number;
      if (v === 0) continue;
      const row = d * gates;
      for (let g = 0; g < gates; g++) z[g]! += v * (kernel[row + g] as number);
    }
    for (let k = 0; k < hidden; k++) {
      const v = h[k] as number;
      const row = k * gates;
      for (let g = 0; g < gates; g++) z[g]! += v * (recurrent[row + g] as number);
    }
    const oo = t * 2 * hidden + column;
    for (let k = 0; k < hidden; k++) {
      const i = sigmoid(z[k] as number);
      const f = sigmoid(z[hidden + k] as number);
      const g = Math.tanh(z[2 * hidden + k] as number);
      const o = sigmoid(z[3 * hidden + k] as number);
      const ck = f * (c[k] as number) + i * g;
      c[k] = ck;
      const hk = o * Math.tanh(ck);
      h[k] = hk;
      out[oo + k] = hk;
    }
  }
}

/**
 * Hidden states [n x 2H] (forward, then backward) of each sequence; `sequences` are
 * [start, end) row ranges of x, run independently.
 */
export function runBiLstm(
  w: BiLstmWeights,
  x: Float32Array,
  sequences: readonly (readonly [number, number])[],
): Float32Array {
  const n = x.length / w.inputs;
  const out = new Float32Array(n * 2 * w.hidden);
  for (const [start, end] of sequences) {
    runDirection(w.forward, w.inputs, w.hidden, x, start, end, false, out, 0);
    runDirection(w.backward, w.inputs, w.hidden, x, start, end, true, out, w.hidden);
  }
  return out;
}
