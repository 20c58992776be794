/** `spinscope serve`: start the server, say where it listens, close it on SIGINT or SIGTERM. */
import { startServer, type ServerOptions } from '../../server/app.js';
import type { Sink } from '../sink.js';

export async function serveAction(
  options: ServerOptions & { port: number; host: string },
  out: Sink,
): Promise<void> {
  const { url, app } = await startServer(options);
  out(`listening on ${url}\n`);
  const stop = () => void app.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
