import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RepoType } from './repo-paths.js';

/** One commit of a mock repository. */
export interface MockCommit {
  /** 40-hex commit hash. */
  sha: string;
  /** Branches / tags pointing at this commit (e.g. `['main']`). */
  refs?: string[];
  /** Path inside the repository → content. */
  files: Record<string, string | Uint8Array>;
}

/** A repository served by {@link startMockHub}. */
export interface MockRepo {
  id: string;
  type?: RepoType;
  commits: MockCommit[];
  /** Paths stored in LFS (served through a redirect to the CDN server); default: `.safetensors .bin .parquet .model` files. */
  lfs?: (path: string) => boolean;
  /** `private` and `gated` repos need a token listed in `allowedTokens`. */
  access?: 'public' | 'private' | 'gated';
  allowedTokens?: string[];
  /** An old id that now redirects (relative 307) to this repo, as after a rename. */
  renamedFrom?: string;
}

/** Faults to inject, read on every request (mutate them between calls). */
export interface MockFaults {
  /** Close the connection after this many body bytes of a file download, for the next `times` downloads. */
  dropAfterBytes?: { bytes: number; times: number };
  /** Serve a file only up to this byte offset (resumes included), then send nothing more with the connection left open. */
  stallAfterBytes?: number;
  /** Answer Range requests with the whole file (200), like a proxy that ignores Range. */
  ignoreRange?: boolean;
  /** Flip one byte in every file body sent (right size, wrong content). */
  corrupt?: boolean;
  /** Leave out `X-Repo-Commit`, like a server that is not a hub. */
  omitCommitHeader?: boolean;
}

/** A request the mock servers received. */
export interface MockRequest {
  server: 'hub' | 'cdn';
  method: string;
  path: string;
  authorization: string | undefined;
  range: string | undefined;
}

/** A running mock hub: the hub server plus a separate "CDN" server (another host:port) for LFS files. */
export interface MockHub {
  /** Give this as `endpoint` (or `HF_ENDPOINT`). */
  endpoint: string;
  cdnEndpoint: string;
  requests: MockRequest[];
  faults: MockFaults;
  /** Tokens the hub knows (any other `Authorization` is "Invalid credentials"). */
  tokens: Set<string>;
  /** Replace or add a repository (e.g. to move `main` to a new commit). */
  setRepo(repo: MockRepo): void;
  close(): Promise<void>;
}

const defaultLfs = (path: string) => /\.(safetensors|bin|parquet|model)$/.test(path);

/** git's blob id: sha1 of `"blob <size>\0" + content` (the hub's etag of a non-LFS file). */
export function gitBlobSha1(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.byteLength}\0`).update(content).digest('hex');
}

/** sha256 of the content (the hub's etag of an LFS file). */
export function sha256Hex(content: Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

function bytes(content: string | Uint8Array): Uint8Array {
  return typeof content === 'string' ? new TextEncoder().encode(content) : content;
}

/**
 * Start a hub on 127.0.0.1 that serves the real URL layout and headers of huggingface.co, for tests that must
 * not touch the internet:
 * - `HEAD|GET /<repo>/resolve/<rev>/<path>` (`/datasets/<repo>/...` for datasets): regular files answer 200
 *   with `ETag` (git blob sha1), `X-Repo-Commit`, `Content-Length`; LFS files answer 302 to the CDN server with
 *   `X-Linked-Etag` (sha256), `X-Linked-Size`, `X-Repo-Commit`;
 * - errors with `X-Error-Code` `RepoNotFound` / `GatedRepo` / `RevisionNotFound` / `EntryNotFound` and the
 *   hub's 401/403/404 choices;
 * - `GET /api/<models|datasets>/<repo>/tree/<rev>/<path>?recursive=` (paged with `Link` when `pageSize` is set)
 *   and `GET /api/<models|datasets>/<repo>/revision/<rev>`;
 * - the CDN serves `Range` requests (206) and can drop connections mid-file ({@link MockFaults}).
 */
export async function startMockHub({ repos, pageSize }: { repos: MockRepo[]; pageSize?: number }): Promise<MockHub> {
  const byKey = new Map<string, MockRepo>();
  const key = (type: RepoType, id: string) => `${type}s/${id}`;
  const setRepo = (repo: MockRepo) => byKey.set(key(repo.type ?? 'model', repo.id), repo);
  repos.forEach(setRepo);
  const requests: MockRequest[] = [];
  const faults: MockFaults = {};
  const tokens = new Set<string>();
  for (const repo of repos) for (const t of repo.allowedTokens ?? []) tokens.add(t);

  const blobs = () => {
    const map = new Map<string, Uint8Array>();
    for (const repo of byKey.values()) for (const c of repo.commits) for (const content of Object.values(c.files)) map.set(sha256Hex(bytes(content)), bytes(content));
    return map;
  };

  const log = (server: MockRequest['server'], req: IncomingMessage) =>
    requests.push({
      server,
      method: req.method ?? 'GET',
      path: req.url ?? '',
      authorization: req.headers.authorization,
      range: req.headers.range,
    });

  const sendBody = (req: IncomingMessage, res: ServerResponse, content: Uint8Array, headers: Record<string, string>) => {
    let start = 0;
    let status = 200;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range !== null && !faults.ignoreRange) {
      start = Number(range[1]);
      status = 206;
      headers['content-range'] = `bytes ${start}-${content.byteLength - 1}/${content.byteLength}`;
    }
    let body = content.subarray(start);
    if (faults.corrupt && body.byteLength > 0) {
      body = Uint8Array.from(body);
      body[0] = (body[0] ?? 0) ^ 0xff;
    }
    res.writeHead(status, { ...headers, 'content-length': String(body.byteLength), 'accept-ranges': 'bytes' });
    if (req.method === 'HEAD') return void res.end();
    if (faults.stallAfterBytes !== undefined && start + body.byteLength > faults.stallAfterBytes) {
      res.write(body.subarray(0, Math.max(0, faults.stallAfterBytes - start)));
      return;
    }
    const drop = faults.dropAfterBytes;
    if (drop !== undefined && drop.times > 0 && body.byteLength > drop.bytes) {
      drop.times -= 1;
      res.write(body.subarray(0, drop.bytes), () => {
        setTimeout(() => res.socket?.destroy(), 20);
      });
      return;
    }
    res.end(body);
  };

  const cdn = createServer((req, res) => {
    log('cdn', req);
    const sha = /^\/blobs\/([0-9a-f]{64})/.exec(req.url ?? '')?.[1];
    const content = sha === undefined ? undefined : blobs().get(sha);
    if (content === undefined) return void res.writeHead(404).end('NoSuchKey');
    sendBody(req, res, content, { 'content-type': 'application/octet-stream', etag: `"${sha}"` });
  });

  const hub = createServer((req, res) => {
    log('hub', req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const error = (status: number, code: string | null, message: string) => {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-error-message': message };
      if (code !== null) headers['x-error-code'] = code;
      res.writeHead(status, headers).end(JSON.stringify({ error: message }));
    };
    const access = (repo: MockRepo | undefined, id: string): boolean => {
      const auth = req.headers.authorization;
      const token = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
      if (token !== undefined && !tokens.has(token)) {
        error(401, null, 'Invalid credentials in Authorization header');
        return false;
      }
      if (repo === undefined || (repo.access === 'private' && !(token !== undefined && repo.allowedTokens?.includes(token)))) {
        if (token === undefined) error(401, 'RepoNotFound', 'Invalid username or password.');
        else error(404, 'RepoNotFound', `Repository not found: ${id}`);
        return false;
      }
      if (repo.access === 'gated' && !(token !== undefined && repo.allowedTokens?.includes(token))) {
        error(token === undefined ? 401 : 403, 'GatedRepo', `Access to model ${id} is restricted. You must have access to it and be authenticated to access it. Please log in.`);
        return false;
      }
      return true;
    };
    const commitOf = (repo: MockRepo, rev: string) => repo.commits.find((c) => c.sha === rev || (c.refs ?? []).includes(rev));

    const api = /^\/api\/(models|datasets)\/(.+?)\/(tree|revision)\/([^/]+)(?:\/(.*))?$/.exec(url.pathname);
    if (api !== null) {
      const type = api[1] === 'datasets' ? 'dataset' : 'model';
      const id = api[2] ?? '';
      const repo = byKey.get(key(type, id));
      if (!access(repo, id) || repo === undefined) return;
      const rev = decodeURIComponent(api[4] ?? '');
      const commit = commitOf(repo, rev);
      if (commit === undefined) return error(404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
      if (api[3] === 'revision') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id, sha: commit.sha }));
        return;
      }
      const dir = decodeURIComponent(api[5] ?? '').replace(/\/+$/, '');
      const recursive = url.searchParams.get('recursive') === 'true';
      const prefix = dir === '' ? '' : `${dir}/`;
      const entries = new Map<string, Record<string, unknown>>();
      const lfs = repo.lfs ?? defaultLfs;
      for (const [path, content] of Object.entries(commit.files)) {
        if (!path.startsWith(prefix)) continue;
        const rest = path.slice(prefix.length).split('/');
        const depthLimit = recursive ? rest.length : 1;
        for (let i = 1; i <= Math.min(rest.length, depthLimit); i++) {
          const p = prefix + rest.slice(0, i).join('/');
          if (i < rest.length) entries.set(p, { type: 'directory', oid: gitBlobSha1(bytes(p)), size: 0, path: p });
          else {
            const b = bytes(content);
            const entry: Record<string, unknown> = { type: 'file', oid: gitBlobSha1(b), size: b.byteLength, path: p };
            if (lfs(path)) entry.lfs = { oid: sha256Hex(b), size: b.byteLength, pointerSize: 134 };
            entries.set(p, entry);
          }
        }
      }
      if (dir !== '' && entries.size === 0) return error(404, 'EntryNotFound', `${dir} does not exist on "${rev}"`);
      const all = [...entries.values()].sort((a, b) => String(a.path).localeCompare(String(b.path)));
      const cursor = Number(url.searchParams.get('cursor') ?? 0);
      const size = pageSize ?? all.length;
      const page = all.slice(cursor, cursor + size);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (cursor + size < all.length) {
        const next = new URL(url.toString());
        next.searchParams.set('cursor', String(cursor + size));
        headers.link = `<${hubEndpoint}${next.pathname}${next.search}>; rel="next"`;
      }
      res.writeHead(200, headers).end(JSON.stringify(page));
      return;
    }

    const resolve = /^\/(datasets\/)?(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (resolve === null) return error(404, null, 'Not Found');
    const type: RepoType = resolve[1] === undefined ? 'model' : 'dataset';
    const id = resolve[2] ?? '';
    const renamed = [...byKey.values()].find((r) => (r.type ?? 'model') === type && r.renamedFrom === id);
    if (renamed !== undefined) {
      const target = url.pathname.replace(`/${id}/resolve/`, `/${renamed.id}/resolve/`);
      res.writeHead(307, { location: target }).end();
      return;
    }
    const repo = byKey.get(key(type, id));
    if (!access(repo, id) || repo === undefined) return;
    const rev = decodeURIComponent(resolve[3] ?? '');
    const commit = commitOf(repo, rev);
    if (commit === undefined) return error(404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
    const path = (resolve[4] ?? '').split('/').map(decodeURIComponent).join('/');
    const content = commit.files[path];
    const commitHeader: Record<string, string> = faults.omitCommitHeader ? {} : { 'x-repo-commit': commit.sha };
    if (content === undefined) {
      res.writeHead(404, { ...commitHeader, 'x-error-code': 'EntryNotFound', 'x-error-message': 'Entry not found' }).end('Entry not found');
      return;
    }
    const b = bytes(content);
    if ((repo.lfs ?? defaultLfs)(path)) {
      const sha = sha256Hex(b);
      res
        .writeHead(302, {
          ...commitHeader,
          location: `${cdnEndpoint}/blobs/${sha}?X-Amz-Signature=mock`,
          'x-linked-etag': `"${sha}"`,
          'x-linked-size': String(b.byteLength),
          etag: `W/"${gitBlobSha1(bytes(sha)).slice(0, 20)}"`,
          'content-length': '0',
        })
        .end();
      return;
    }
    sendBody(req, res, b, { ...commitHeader, etag: `"${gitBlobSha1(b)}"`, 'content-type': 'text/plain; charset=utf-8' });
  });

  const listen = (server: Server) =>
    new Promise<string>((resolveListen) => server.listen(0, '127.0.0.1', () => resolveListen(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
  const hubEndpoint = await listen(hub);
  const cdnEndpoint = await listen(cdn);
  const close = (server: Server) =>
    new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    });
  return {
    endpoint: hubEndpoint,
    cdnEndpoint,
    requests,
    faults,
    tokens,
    setRepo,
    close: async () => {
      await Promise.all([close(hub), close(cdn)]);
    },
  };
}
