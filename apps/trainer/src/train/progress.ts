import cliProgress from 'cli-progress';

/** Progress of a training run: a bar on a terminal, periodic plain lines otherwise, nothing with --quiet. */
export interface Progress {
  start(total: number, at: number, label: string): void;
  update(step: number, values: { loss: number; lr: number }): void;
  log(line: string): void;
  stop(): void;
}

/** Picks the display: `quiet` → silent; a TTY → a `cli-progress` bar (steps, loss, ETA); else lines every `every` steps. */
export function createProgress({ quiet, every, stream = process.stderr }: { quiet: boolean; every: number; stream?: NodeJS.WriteStream }): Progress {
  if (quiet) return { start() {}, update() {}, log() {}, stop() {} };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: '{label} |{bar}| {value}/{total} steps | loss {loss} | lr {lr} | ETA {eta_formatted}', stream, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    return {
      start: (total, at, label) => bar.start(total, at, { label, loss: '–', lr: '–' }),
      update: (step, { loss, lr }) => bar.update(step, { loss: loss.toFixed(4), lr: lr.toExponential(2) }),
      log: (line) => {
        // Print above the bar without tearing it.
        stream.write(`\r\x1b[K${line}\n`);
      },
      stop: () => bar.stop(),
    };
  }
  let label = '';
  let total = 0;
  let started = Date.now();
  let first = 0;
  return {
    start(t, at, l) {
      total = t;
      label = l;
      first = at;
      started = Date.now();
    },
    update(step, { loss, lr }) {
      if (step % every !== 0 && step !== total) return;
      const elapsed = (Date.now() - started) / 1000;
      const eta = step > first ? (elapsed / (step - first)) * (total - step) : 0;
      stream.write(`${label} step ${step}/${total} loss ${loss.toFixed(4)} lr ${lr.toExponential(2)} eta ${eta.toFixed(0)}s\n`);
    },
    log: (line) => stream.write(`${line}\n`),
    stop() {},
  };
}
