/**
 * ONNX Runtime's native kernels (`onnxruntime-node`), which run the sentence encoder and the
 * BiLSTM taggers several times faster than WebAssembly or plain TypeScript. It is an optional
 * dependency: its binaries exist for the common platforms, and an install without it falls
 * back to the slower engines, with the same results to float rounding. `SPINSCOPE_ONNX=0`
 * turns it off (to compare, or where its binary misbehaves).
 */
export type OnnxRuntime = typeof import('onnxruntime-node');

let loaded: Promise<OnnxRuntime | undefined> | undefined;

/** ONNX Runtime, where it is installed, loads on this platform and is not turned off. */
export function onnxRuntime(): Promise<OnnxRuntime | undefined> {
  loaded ??=
    process.env.SPINSCOPE_ONNX === '0'
      ? Promise.resolve(undefined)
      : import('onnxruntime-node').catch(() => undefined);
  return loaded;
}
