/**
 * Browser twin of features/onnx-runtime.ts: no ONNX Runtime in the browser (yet), so the
 * neural stages run their TypeScript kernels (detect/neural/bilstm.ts), as on Node without it.
 */
export type OnnxRuntime = never;

export function onnxRuntime(): Promise<OnnxRuntime | undefined> {
  return Promise.resolve(undefined);
}
