import cliProgress from 'cli-progress';

/** One progress report of a file download. */
export interface DownloadProgress {
  repoId: string;
  /** Path of the file inside the repository. */
  filename: string;
  /** Bytes written so far (falls back to 0 when the server ignored a resume request and the file restarts). */
  downloaded: number;
  /** Size announced by the hub (`X-Linked-Size` or `Content-Length`). */
  total: number;
}

/** Called as bytes arrive (and once at the end with `downloaded === total`). */
export type ProgressCallback = (progress: DownloadProgress) => void;

/** A progress display for one file; `update` takes the bytes written so far. */
export interface ProgressDisplay {
  update(downloaded: number): void;
  stop(): void;
}

/**
 * A terminal progress bar for one download, drawn with `cli-progress` on `stream` (stderr by default, so stdout
 * stays clean for JSON output). Sizes are shown in KB/MB/GB.
 */
export function terminalProgressBar(
  filename: string,
  total: number,
  stream: NodeJS.WritableStream = process.stderr,
): ProgressDisplay {
  const label = filename.length > 40 ? `(…)${filename.slice(-40)}` : filename;
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} |{bar}| {percentage}% {value}/{total} {eta_formatted}`,
      stream,
      hideCursor: false,
      etaBuffer: 50,
      fps: 10,
      formatValue: (value, _options, type) => (type === 'value' || type === 'total' ? formatBytes(value) : String(value)),
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update: (downloaded) => bar.update(downloaded),
    stop: () => bar.stop(),
  };
}

/** `1536` → `1.5kB`, decimal units as tqdm prints them. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value}B` : `${value.toFixed(value >= 100 ? 0 : 1)}${units[unit]}`;
}
