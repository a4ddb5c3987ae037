import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Environment variables, as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Where a token came from: an environment variable or the token file's path. */
export type TokenSource = 'HF_TOKEN' | 'HUGGING_FACE_HUB_TOKEN' | 'the token option' | { file: string };

/**
 * The hub settings huggingface_hub reads from the environment (its `constants.py`), resolved the same way so
 * both libraries share one cache and one login.
 */
export interface HubSettings {
  /** `HF_ENDPOINT` without a trailing slash, default `https://huggingface.co`. */
  endpoint: string;
  /** `HF_HOME`, default `$XDG_CACHE_HOME/huggingface` or `~/.cache/huggingface`. */
  hfHome: string;
  /** `HF_HUB_CACHE` (legacy `HUGGINGFACE_HUB_CACHE`), default `$HF_HOME/hub`. */
  cacheDir: string;
  /** `HF_HUB_OFFLINE` (or `TRANSFORMERS_OFFLINE`) is 1/ON/YES/TRUE: serve from the cache only. */
  offline: boolean;
  /** `HF_TOKEN`, legacy `HUGGING_FACE_HUB_TOKEN`, else the token file (`HF_TOKEN_PATH`, default `$HF_HOME/token`). */
  token: string | null;
  tokenSource: TokenSource | null;
  /** False when `HF_HUB_DISABLE_PROGRESS_BARS` is true. */
  progressBars: boolean;
  /** `HF_HUB_ETAG_TIMEOUT` (seconds, default 10) in ms: time limit of metadata requests. */
  etagTimeoutMs: number;
  /** `HF_HUB_DOWNLOAD_TIMEOUT` (seconds, default 10) in ms: longest wait for download data. */
  downloadTimeoutMs: number;
}

const TRUE_VALUES = new Set(['1', 'ON', 'YES', 'TRUE']);

/** huggingface_hub's `_is_true`: 1, ON, YES, TRUE in any case. */
export function isTrueEnv(value: string | undefined): boolean {
  return value !== undefined && TRUE_VALUES.has(value.toUpperCase());
}

/**
 * Resolve {@link HubSettings} from environment variables with huggingface_hub's precedence and defaults
 * (paths go through `expandvars` + `expanduser` as in Python).
 */
export function resolveHubSettings(env: Env = process.env): HubSettings {
  const home = homedir();
  const expand = (p: string) => expandUser(expandVars(p, env), home);
  const hfHome = expand(env.HF_HOME ?? join(env.XDG_CACHE_HOME ?? join(home, '.cache'), 'huggingface'));
  const cacheDir = expand(env.HF_HUB_CACHE ?? env.HUGGINGFACE_HUB_CACHE ?? join(hfHome, 'hub'));
  const endpoint = (env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
  const offline = isTrueEnv(env.HF_HUB_OFFLINE ?? env.TRANSFORMERS_OFFLINE);
  let token: string | null = null;
  let tokenSource: TokenSource | null = null;
  const fromEnv = cleanToken(env.HF_TOKEN) ?? null;
  const legacy = cleanToken(env.HUGGING_FACE_HUB_TOKEN) ?? null;
  if (fromEnv !== null) {
    token = fromEnv;
    tokenSource = 'HF_TOKEN';
  } else if (legacy !== null) {
    token = legacy;
    tokenSource = 'HUGGING_FACE_HUB_TOKEN';
  } else {
    const file = expand(env.HF_TOKEN_PATH ?? join(hfHome, 'token'));
    const fromFile = readTokenFile(file);
    if (fromFile !== null) {
      token = fromFile;
      tokenSource = { file };
    }
  }
  const disableBars = env.HF_HUB_DISABLE_PROGRESS_BARS;
  return {
    endpoint,
    hfHome,
    cacheDir,
    offline,
    token,
    tokenSource,
    progressBars: !isTrueEnv(disableBars),
    etagTimeoutMs: secondsToMs(env.HF_HUB_ETAG_TIMEOUT),
    downloadTimeoutMs: secondsToMs(env.HF_HUB_DOWNLOAD_TIMEOUT),
  };
}

/** A positive number of seconds from the environment, in ms; 10 s (huggingface_hub's default) otherwise. */
function secondsToMs(value: string | undefined): number {
  const seconds = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 10_000;
}

/** Human-readable name of a {@link TokenSource} for error messages. */
export function describeTokenSource(source: TokenSource | null): string {
  if (source === null) return 'no token';
  if (typeof source === 'string') return `the token from ${source}`;
  return `the token from ${source.file}`;
}

function cleanToken(value: string | undefined): string | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function readTokenFile(path: string): string | null {
  try {
    return cleanToken(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** Python's `os.path.expandvars`: `$NAME` and `${NAME}` are replaced when set, kept as written otherwise. */
function expandVars(path: string, env: Env): string {
  return path.replace(/\$(\w+|\{[^}]*\})/g, (match, name: string) => {
    const key = name.startsWith('{') ? name.slice(1, -1) : name;
    return env[key] ?? match;
  });
}

/** Python's `os.path.expanduser` for the current user (`~` and `~/...`). */
function expandUser(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}
