/**
 * The offscreen document: an extension page the reader never sees, which holds the
 * detector's Web Worker (src/browser/worker.ts). The worker runs in the extension's origin,
 * not in the news page's, and loads the models shipped inside the extension.
 */
import type { OffscreenReply, OffscreenRequest } from './messages.js';

/**
 * The worker's protocol (src/browser/worker.ts, whose module is not imported here: its types
 * would bring the whole detector, Node's types included, into this page's type check).
 */
interface AnalyzeRequest {
  id: number;
  model: string;
  text: string;
}
type AnalyzeReply = { id: number } & OffscreenReply;

const worker = new Worker(chrome.runtime.getURL('worker/detector-worker.js'), { type: 'module' });
const waiting = new Map<number, (reply: AnalyzeReply) => void>();
let next = 0;

worker.onmessage = ({ data }: MessageEvent<AnalyzeReply>) => {
  waiting.get(data.id)?.(data);
  waiting.delete(data.id);
};
worker.onerror = (event) => {
  const error = { code: 'SPN_ERR_INTERNAL', message: `the detector failed: ${event.message}` };
  for (const [id, resolve] of waiting) resolve({ id, error });
  waiting.clear();
};

function analyse({ model, text }: OffscreenRequest): Promise<OffscreenReply> {
  return new Promise((resolve) => {
    const id = next++;
    waiting.set(id, (reply) => resolve('error' in reply ? { error: reply.error } : reply));
    const request: AnalyzeRequest = {
      id,
      model: chrome.runtime.getURL(`models/${model}.bin`),
      text,
    };
    worker.postMessage(request);
  });
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return;
  if ((message as { target?: unknown }).target !== 'offscreen') return;
  void analyse(message as OffscreenRequest).then(sendResponse);
  return true;
});
