import { HubError, type HubErrorCode } from './hub-error.js';
import { describeTokenSource, type TokenSource } from './settings.js';

/** What a request is about, for error messages. */
export interface RequestSubject {
  repoId: string;
  repoType: string;
  revision: string;
  filename?: string;
  endpoint: string;
  tokenSource: TokenSource | null;
}

/**
 * A `fetch` that does not follow redirects, with a time limit, the caller's abort signal (its reason is thrown
 * as is) and an optional extra signal (an idle timer: counted as a network failure).
 */
export async function rawRequest(
  url: string,
  init: {
    method: 'GET' | 'HEAD';
    headers: Record<string, string>;
    timeoutMs: number;
    signal?: AbortSignal | undefined;
    idleSignal?: AbortSignal | undefined;
  },
  subject: RequestSubject,
): Promise<Response> {
  const timeout = AbortSignal.timeout(init.timeoutMs);
  const signals = [timeout, init.signal, init.idleSignal].filter((s): s is AbortSignal => s !== undefined);
  try {
    return await fetch(url, { method: init.method, headers: init.headers, redirect: 'manual', signal: AbortSignal.any(signals) });
  } catch (error) {
    if (init.signal?.aborted) throw init.signal.reason ?? error;
    const detail = timeout.aborted
      ? `no answer within ${init.timeoutMs} ms`
      : init.idleSignal?.aborted
        ? String((init.idleSignal.reason as Error | undefined)?.message ?? 'timed out')
        : undefined;
    throw networkError(url, subject, error, detail);
  }
}

/** A network failure (connection refused, DNS, reset, timeout) as a {@link HubError} with code `network`. */
export function networkError(url: string, subject: RequestSubject, error: unknown, detail?: string): HubError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why = detail ?? cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
  return new HubError(
    `Could not reach ${url} (${why}). Check the network or HF_ENDPOINT (now ${subject.endpoint}); ` +
      `set HF_HUB_OFFLINE=1 to use only files already in the cache.`,
    { code: 'network', url, cause: error, ...subjectFields(subject) },
  );
}

/**
 * Turn an error response of the hub into a {@link HubError}, reading `X-Error-Code` / `X-Error-Message` the way
 * huggingface_hub's `hf_raise_for_status` does: `RevisionNotFound`, `EntryNotFound`, `GatedRepo`, `RepoNotFound`,
 * and a 401 that is not "Invalid credentials" means a missing, private or gated repo.
 */
export async function errorFromResponse(response: Response, url: string, subject: RequestSubject): Promise<HubError> {
  const status = response.status;
  const errorCode = response.headers.get('x-error-code');
  const errorMessage = response.headers.get('x-error-message');
  const body = await response.text().catch(() => '');
  const serverSays = errorMessage ?? (body.trim().slice(0, 300) || null);
  const said = serverSays === null ? '' : ` The hub said: ${serverSays}`;
  const token = describeTokenSource(subject.tokenSource);
  const repo = `${subject.repoType} repository '${subject.repoId}'`;
  const repoPage = `${subject.endpoint}/${subject.repoType === 'dataset' ? 'datasets/' : ''}${subject.repoId}`;
  const make = (code: HubErrorCode, message: string) =>
    new HubError(`${message} (HTTP ${status} for ${url}).${said}`, { code, url, status, ...subjectFields(subject) });

  if (errorCode === 'RevisionNotFound') {
    return make('revision-not-found', `Revision '${subject.revision}' does not exist in ${repo}`);
  }
  if (errorCode === 'EntryNotFound') {
    const what = subject.filename === undefined ? 'The requested path' : `File '${subject.filename}'`;
    return make('entry-not-found', `${what} does not exist in ${repo} at revision '${subject.revision}'`);
  }
  if (errorCode === 'GatedRepo') {
    return make(
      'gated-repo',
      `${repo} is gated: accept its conditions at ${repoPage} with your account, then make its token available ` +
        `(HF_TOKEN or the token file $HF_HOME/token); sent: ${token}`,
    );
  }
  if (status === 401 && errorMessage === 'Invalid credentials in Authorization header') {
    return make('unauthorized', `The hub rejected ${token}: it is invalid or expired. Create a new one at ${subject.endpoint}/settings/tokens`);
  }
  if (errorCode === 'RepoNotFound' || status === 401) {
    return make(
      'repo-not-found',
      `${repo} was not found. Check the id and the repo type; if it is private or gated, make a token with access ` +
        `available (HF_TOKEN or $HF_HOME/token); sent: ${token}`,
    );
  }
  if (status === 403) {
    return make('forbidden', `Access to ${repo} is forbidden for ${token}; make sure the token has read permission`);
  }
  if (status === 404) {
    const what = subject.filename === undefined ? 'The requested path' : `File '${subject.filename}'`;
    return make('entry-not-found', `${what} was not found in ${repo} at revision '${subject.revision}'`);
  }
  return make('http', `The hub answered ${status} ${response.statusText} for ${repo}`);
}

/** True for errors where huggingface_hub falls back to a cached copy: network trouble and HTTP errors other than a missing entry/revision. */
export function allowsCacheFallback(error: unknown): boolean {
  if (!HubError.isInstance(error)) return false;
  return !['entry-not-found', 'revision-not-found', 'invalid-argument'].includes(error.code);
}

export function subjectFields(subject: RequestSubject): { repoId: string; repoType: string; revision: string; filename?: string } {
  return {
    repoId: subject.repoId,
    repoType: subject.repoType,
    revision: subject.revision,
    ...(subject.filename === undefined ? {} : { filename: subject.filename }),
  };
}

/** Request headers: user agent, the token as `Authorization: Bearer`, plus `extra`. */
export function hubHeaders(token: string | null, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'user-agent': `adalora-hub; node/${process.versions.node}`,
    ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    ...extra,
  };
}

/** `W/"abc"` or `"abc"` → `abc`, as huggingface_hub's `_normalize_etag`. */
export function normalizeEtag(etag: string | null): string | null {
  if (etag === null) return null;
  return etag.replace(/^W\//, '').replace(/^"+|"+$/g, '');
}

/** The URL of the `rel="next"` entry of a `Link` header (the hub paginates tree listings that way). */
export function nextPageUrl(link: string | null, base: string): string | null {
  if (link === null) return null;
  for (const part of link.split(',')) {
    const match = /<([^>]*)>\s*;(.*)/.exec(part.trim());
    if (match?.[1] !== undefined && /\brel="?next"?/.test(match[2] ?? '')) return new URL(match[1], base).toString();
  }
  return null;
}
