import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { isCommitHash, repoFolderName, type RepoType } from './repo-paths.js';

/**
 * Paths of one repository in the huggingface_hub cache:
 * `<cacheDir>/<models|datasets>--org--name/{blobs/<etag>, snapshots/<commit>/<path>, refs/<revision>, .no_exist/<commit>/<path>}`.
 */
export interface RepoCache {
  /** `<cacheDir>/models--org--name` */
  storage: string;
  blob(etag: string): string;
  pointer(commit: string, filename: string): string;
  ref(revision: string): string;
  noExist(commit: string, filename: string): string;
}

/** The {@link RepoCache} paths of `repoId` under `cacheDir`. */
export function repoCache(cacheDir: string, repoId: string, repoType: RepoType): RepoCache {
  const storage = join(cacheDir, repoFolderName(repoId, repoType));
  const inRepo = (filename: string) => filename.split('/').join(sep);
  return {
    storage,
    blob: (etag) => join(storage, 'blobs', etag),
    pointer: (commit, filename) => join(storage, 'snapshots', commit, inRepo(filename)),
    ref: (revision) => join(storage, 'refs', ...revision.split('/')),
    noExist: (commit, filename) => join(storage, '.no_exist', commit, inRepo(filename)),
  };
}

/** The commit a revision points to in the cache: itself for a commit hash, else the content of `refs/<revision>`. */
export async function readCachedCommit(cache: RepoCache, revision: string): Promise<string | null> {
  if (isCommitHash(revision)) return revision;
  try {
    const text = (await readFile(cache.ref(revision), 'utf8')).trim();
    return text === '' ? null : text;
  } catch {
    return null;
  }
}

/**
 * Record `refs/<revision>` → `commit` (skipped when the revision is the commit itself or the ref is already
 * right), written to a unique temporary file and renamed so concurrent readers never see half a hash.
 */
export async function writeRef(cache: RepoCache, revision: string, commit: string): Promise<void> {
  if (revision === commit) return;
  const path = cache.ref(revision);
  try {
    if ((await readFile(path, 'utf8')) === commit) return;
  } catch {
    // no ref yet
  }
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, commit);
  await rename(tmp, path);
}

/** Whether a regular file exists at `path`, following symlinks (so a dangling pointer counts as missing). */
export async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Make `snapshots/<commit>/<path>` point at `blobs/<etag>` with a relative symlink, as huggingface_hub's
 * `_create_symlink` does (relative so the cache folder can be moved). Where symlinks are not allowed
 * (Windows without developer mode), the blob is copied instead, as Python does.
 */
export async function createPointer(blobPath: string, pointerPath: string): Promise<void> {
  await mkdir(dirname(pointerPath), { recursive: true });
  const target = relative(dirname(pointerPath), blobPath);
  try {
    await unlink(pointerPath);
  } catch {
    // nothing to replace
  }
  try {
    await symlink(target, pointerPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      // Another process linked it between unlink and symlink: fine if it points at the same blob.
      if ((await readlink(pointerPath).catch(() => null)) === target) return;
      throw error;
    }
    if (code === 'EPERM' || code === 'EACCES' || code === 'ENOTSUP') {
      await copyFile(blobPath, pointerPath);
      return;
    }
    throw error;
  }
}

/** The etag of a cached pointer: the name of the blob its symlink points to (null for a copied file). */
export async function pointerEtag(pointerPath: string): Promise<string | null> {
  try {
    return basename(await readlink(pointerPath));
  } catch {
    return null;
  }
}

/** Record that `filename` does not exist at `commit` (huggingface_hub's `.no_exist` marker). */
export async function markNoExist(cache: RepoCache, commit: string, filename: string): Promise<void> {
  const path = cache.noExist(commit, filename);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, '');
}

/** Remove a file, ignoring a missing one. */
export async function removeQuietly(path: string): Promise<void> {
  await rm(path, { force: true });
}
