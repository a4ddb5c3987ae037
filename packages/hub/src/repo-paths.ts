import { HubError } from './hub-error.js';

/** Kind of hub repository. Spaces and kernels are not needed by this project. */
export type RepoType = 'model' | 'dataset';

const REPO_ID = /^(?:[\w.-]+\/)?[\w.-]+$/;
const COMMIT_HASH = /^[0-9a-f]{40}$/;

/** True when `revision` is a full 40-hex commit hash (then no ref is resolved or written). */
export function isCommitHash(revision: string): boolean {
  return COMMIT_HASH.test(revision);
}

/**
 * Check a repo id the way huggingface_hub's `validate_repo_id` does (`name` or `namespace/name`, letters,
 * digits, `-_.`, no `--` or `..`, not ending in `.git`, at most 96 characters), because the id becomes a
 * folder name in the cache.
 */
export function validateRepoId(repoId: string): void {
  const bad =
    !REPO_ID.test(repoId) ||
    repoId.length > 96 ||
    repoId.includes('--') ||
    repoId.includes('..') ||
    repoId.endsWith('.git') ||
    repoId.split('/').some((part) => part.startsWith('-') || part.startsWith('.') || part.endsWith('-') || part.endsWith('.'));
  if (bad) {
    throw new HubError(
      `Invalid repo id '${repoId}': expected 'name' or 'namespace/name' made of letters, digits, '-', '_' and '.', ` +
        `without '--' or '..', at most 96 characters (e.g. 'microsoft/deberta-v3-base').`,
      { code: 'invalid-argument', repoId },
    );
  }
}

/** Check a path inside a repository: relative, `/`-separated, no `.`/`..`/empty segments (it becomes a cache path). */
export function validateFilename(filename: string, repoId?: string): void {
  const parts = filename.split('/');
  if (filename === '' || filename.startsWith('/') || filename.includes('\\') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new HubError(
      `Invalid file path '${filename}'${repoId === undefined ? '' : ` in ${repoId}`}: expected a relative path inside the repository ` +
        `with '/' separators and no '.', '..' or empty segments.`,
      { code: 'invalid-argument', filename, ...(repoId === undefined ? {} : { repoId }) },
    );
  }
}

/** Check a revision (branch, tag or commit): it becomes a `refs/` path and a URL segment. */
export function validateRevision(revision: string): void {
  const parts = revision.split('/');
  if (revision === '' || revision.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new HubError(`Invalid revision '${revision}': expected a branch, tag or commit hash.`, {
      code: 'invalid-argument',
      revision,
    });
  }
}

/**
 * Folder name of a repository in the cache, as huggingface_hub's `repo_folder_name`:
 * `models--org--name` or `datasets--org--name`.
 */
export function repoFolderName(repoId: string, repoType: RepoType = 'model'): string {
  return [`${repoType}s`, ...repoId.split('/')].join('--');
}

/**
 * URL of a file on the hub, as huggingface_hub's `hf_hub_url`:
 * `<endpoint>/<repo>/resolve/<revision>/<path>`, with `datasets/` before dataset repos. The revision is
 * percent-encoded as one segment (`refs/convert/parquet` → `refs%2Fconvert%2Fparquet`), the path per segment.
 */
export function hubFileUrl(
  repoId: string,
  filename: string,
  { endpoint, repoType = 'model', revision = 'main' }: { endpoint: string; repoType?: RepoType; revision?: string },
): string {
  const prefix = repoType === 'dataset' ? 'datasets/' : '';
  const path = filename.split('/').map(encodeURIComponent).join('/');
  return `${endpoint.replace(/\/+$/, '')}/${prefix}${repoId}/resolve/${encodeURIComponent(revision)}/${path}`;
}
