import { AdaLoraError } from '@adalora/core';

/**
 * What went wrong talking to the hub or reading its cache. The codes follow huggingface_hub's error classes
 * (`RepositoryNotFoundError`, `GatedRepoError`, `RevisionNotFoundError`, `EntryNotFoundError`,
 * `LocalEntryNotFoundError`, ...) so a user who knows the Python library recognises them.
 */
export type HubErrorCode =
  | 'invalid-argument'
  | 'repo-not-found'
  | 'gated-repo'
  | 'unauthorized'
  | 'forbidden'
  | 'revision-not-found'
  | 'entry-not-found'
  | 'offline-cache-miss'
  | 'network'
  | 'bad-response'
  | 'incomplete-download'
  | 'checksum-mismatch'
  | 'http';

const hubErrorSymbol = Symbol.for('adalora.error.hub');

/** Fields every {@link HubError} carries besides its message. */
export interface HubErrorDetails {
  code: HubErrorCode;
  repoId?: string;
  repoType?: string;
  /** Path of the file inside the repository, when the error concerns one file. */
  filename?: string;
  revision?: string;
  url?: string;
  /** HTTP status, when the error comes from a response. */
  status?: number;
  cause?: unknown;
}

/**
 * Error of `@adalora/hub`: a failed download, listing or cache lookup. `code` says which case it is,
 * the message says what to do (set a token, accept a gated repo's conditions, put the file in the cache...).
 */
export class HubError extends AdaLoraError {
  private readonly [hubErrorSymbol] = true;
  readonly code: HubErrorCode;
  readonly repoId: string | undefined;
  readonly repoType: string | undefined;
  readonly filename: string | undefined;
  readonly revision: string | undefined;
  readonly url: string | undefined;
  readonly status: number | undefined;

  constructor(message: string, details: HubErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'HubError';
    this.code = details.code;
    this.repoId = details.repoId;
    this.repoType = details.repoType;
    this.filename = details.filename;
    this.revision = details.revision;
    this.url = details.url;
    this.status = details.status;
  }

  /** True for a `HubError` from any copy of this package. */
  static override isInstance(error: unknown): error is HubError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[hubErrorSymbol] === true;
  }
}
