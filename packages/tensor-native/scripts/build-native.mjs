#!/usr/bin/env node
// Builds the N-API addon with node-gyp into dist/tensor_native.node. Part of `pnpm build`, never an install
// script. Where a compiler, make, python3 or the Node headers are missing it prints one notice line and exits
// 0: the package then runs on the pure-wasm kernels (installNativeKernels reports why).
// Usage: node scripts/build-native.mjs [--out <dir>] (default: ./dist next to this script's package).
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outIndex = process.argv.indexOf('--out');
const outDir = outIndex >= 0 ? resolve(process.argv[outIndex + 1]) : join(packageDir, 'dist');
const sourceDir = join(packageDir, 'native');
const target = join(outDir, 'tensor_native.node');

function notice(why) {
  rmSync(target, { force: true });
  console.log(`@adalora/tensor-native: native addon not built (${why}); the pure-wasm kernels will be used.`);
  process.exit(0);
}

// Node's headers: next to the running node (official tarballs, Debian's nodejs-dev, nvm), or node-gyp's cache.
// Passing --nodedir keeps node-gyp from downloading headers (the build must work offline).
const version = process.version.slice(1);
const nodeDir = [
  resolve(dirname(process.execPath), '..'),
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'node-gyp', version),
  join(homedir(), '.node-gyp', version),
].find((dir) => existsSync(join(dir, 'include', 'node', 'node_api.h')) && existsSync(join(dir, 'include', 'node', 'common.gypi')));
if (nodeDir === undefined) notice(`Node ${version} headers (include/node/node_api.h) not found`);

let nodeGyp;
try {
  nodeGyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
} catch {
  notice('node-gyp is not installed');
}

// Build in a scratch copy of native/, so concurrent builds (tests, turbo) never share a build directory.
const workDir = mkdtempSync(join(tmpdir(), 'tensor-native-'));
cpSync(sourceDir, workDir, { recursive: true, filter: (from) => !from.includes(`${sourceDir}/build`) });
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));
const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`, '--directory', workDir, '--loglevel=error'], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, npm_config_nodedir: nodeDir },
});
const built = join(workDir, 'build', 'Release', 'tensor_native.node');
if (result.status !== 0 || !existsSync(built)) {
  const output = `${result.stderr ?? ''}\n${result.stdout ?? ''}`;
  const line = output.split('\n').find((l) => /error|not found|No such file|command not found/i.test(l)) ?? `node-gyp exited with ${result.status}`;
  notice(`node-gyp failed: ${line.trim().slice(0, 200)}`);
}
mkdirSync(outDir, { recursive: true });
copyFileSync(built, target);
console.log(`@adalora/tensor-native: built ${target}`);
