/**
 * Progress for long work: a bar with rate and ETA on a terminal (cli-progress), plain
 * occasional lines when output is not a TTY (logs, CI).
 */
import cliProgress from 'cli-progress';

export interface ProgressReporter {
  update(stage: string, done: number, total: number): void;
  stop(): void;
}

export function progressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (stream.isTTY) {
    let bar: cliProgress.SingleBar | undefined;
    let current = '';
    return {
      update(stage, done, total) {
        if (stage !== current) {
          bar?.stop();
          current = stage;
          bar = new cliProgress.SingleBar(
            {
              format: `${stage.padEnd(28)} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`,
              stream,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, done);
        } else bar?.update(done);
      },
      stop() {
        bar?.stop();
      },
    };
  }
  let lastLine = 0;
  let lastStage = '';
  return {
    update(stage, done, total) {
      const now = Date.now();
      if (stage === lastStage && done < total && now - lastLine < 2000) return;
      lastLine = now;
      lastStage = stage;
      stream.write(`${stage}: ${done}/${total}\n`);
    },
    stop() {},
  };
}
