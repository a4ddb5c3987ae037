import * as tf from '@tensorflow/tfjs-core';
import { InvalidConfigError } from '@adalora/core';
import { EngineUnavailableError } from './errors.js';
import './register-gradients.js';
import { installWasmMatMul } from './wasm-matmul.js';
import { installUnsortedSegmentSum } from './segment-sum.js';
import type { WasmBackend } from './wasm-backend.js';

/** The engines a user can ask for. `auto` picks the fastest one installed. */
export const engineIds = ['auto', 'node-gpu', 'node', 'wasm', 'cpu'] as const;
/** An engine id as given by a user (`--engine`). */
export type EngineRequest = (typeof engineIds)[number];
/** The engine actually in use. */
export type Engine = Exclude<EngineRequest, 'auto'>;

/** The tfjs namespace every package uses once an engine is initialised. */
export type TensorFlow = typeof tf;

/** What `initBackend` chose, why, and the tfjs namespace to use. */
export interface BackendInfo {
  engine: Engine;
  reason: string;
  tf: TensorFlow;
  /** On wasm: whether `@adalora/tensor-native`'s kernels (OpenBLAS matmuls, fused ops) serve it, and why. */
  native: { installed: boolean; reason: string; kernels: string[] } | null;
}

/** Options of `initBackend`. */
export interface InitBackendOptions {
  engine?: EngineRequest;
  /**
   * On wasm, use `@adalora/tensor-native` when it is installed (default true): the native CPU path, with
   * matmuls on OpenBLAS. `false` keeps the pure-wasm kernels (for comparisons and tests).
   */
  native?: boolean;
}

/** The optional native accelerator's entry points (`@adalora/tensor-native`). */
interface NativeModule {
  installNativeKernels(options?: { quiet?: boolean }): { installed: boolean; reason: string; kernels: string[] };
  uninstallNativeKernels(): void;
}

/** Where each engine comes from and what installing it takes. */
const enginePackages: Record<Engine, { module: string; backendName: string; install: string }> = {
  'node-gpu': {
    module: '@tensorflow/tfjs-node-gpu',
    backendName: 'tensorflow',
    install:
      'npm install @tensorflow/tfjs-node-gpu@4.22.0 (Linux x64 or Windows; it needs CUDA 11.2 and cuDNN 8.1 — libcudart.so.11.0 — and downloads libtensorflow 2.9.1 when installed)',
  },
  node: {
    module: '@tensorflow/tfjs-node',
    backendName: 'tensorflow',
    install: 'npm install @tensorflow/tfjs-node@4.22.0 (it downloads libtensorflow 2.9.1 when installed)',
  },
  wasm: { module: '@tensorflow/tfjs-backend-wasm', backendName: 'wasm', install: 'npm install @tensorflow/tfjs-backend-wasm@4.22.0' },
  cpu: { module: '@tensorflow/tfjs-backend-cpu', backendName: 'cpu', install: 'npm install @tensorflow/tfjs-backend-cpu@4.22.0' },
};

let current: BackendInfo | undefined;
/** Backend instances that already have our kernels (a re-registered backend is a new instance). */
const fixedBackends = new WeakSet<object>();

/** Unregisters a stock kernel (if any) and registers ours in its place, without tfjs's overwrite warning. */
function replaceKernel(kernelName: string, backendName: string, register: () => void): void {
  if (tf.getKernel(kernelName, backendName) !== undefined) tf.unregisterKernel(kernelName, backendName);
  register();
}

/**
 * Selects and initialises the TensorFlow.js engine for this process, registers every gradient, and on
 * wasm installs our kernel fixes (fast batched/transposed matmuls, `UnsortedSegmentSum`).
 *
 * `auto` tries `@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node` (optional peers, found by
 * dynamic import and never dependencies of ours), then wasm, then cpu. Asking for an engine that is not
 * installed throws `EngineUnavailableError` saying how to install it. Calling it again with the same
 * engine is cheap; with another engine it switches the process to that engine (tensors created before
 * move lazily), which tests use to compare engines.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const request = options.engine ?? 'auto';
  const wantNative = options.native ?? true;
  if (!(engineIds as readonly string[]).includes(request)) {
    throw new InvalidConfigError({ field: 'engine', value: request, reason: `expected one of ${engineIds.join(', ')}` });
  }
  if (
    current !== undefined && (request === current.engine || request === 'auto') && tf.getBackend() === enginePackages[current.engine].backendName &&
    (current.engine !== 'wasm' || (current.native?.installed ?? false) === (wantNative && nativeAvailable))
  ) {
    return current;
  }
  if (request !== 'auto') {
    await activate(request);
    const native = request === 'wasm' ? await useNative(wantNative) : null;
    current = { engine: request, reason: `asked for ${request}${native === null ? '' : `; ${native.reason}`}`, tf, native };
    return current;
  }
  const skipped: string[] = [];
  for (const engine of ['node-gpu', 'node', 'wasm', 'cpu'] as const) {
    try {
      await activate(engine);
      const native = engine === 'wasm' ? await useNative(wantNative) : null;
      const reason = skipped.length === 0 ? `${engine} is the fastest engine available` : `${skipped.join('; ')}; using ${engine}`;
      current = { engine, reason: native === null ? reason : `${reason}; ${native.reason}`, tf, native };
      return current;
    } catch (error) {
      skipped.push(`${engine} unavailable (${EngineUnavailableError.isInstance(error) ? shortCause(error) : String(error)})`);
    }
  }
  throw new EngineUnavailableError({ engine: 'auto', message: `No TensorFlow.js engine could be initialised: ${skipped.join('; ')}` });
}

let nativeModule: NativeModule | null | undefined;
let nativeAvailable = true;

/**
 * Installs (or, with `want` false, removes) `@adalora/tensor-native`'s kernels on the wasm backend. The
 * package is an optional peer: without it the pure-wasm kernels stay, and the reason says how to get it.
 */
async function useNative(want: boolean): Promise<{ installed: boolean; reason: string; kernels: string[] }> {
  if (nativeModule === undefined) {
    try {
      nativeModule = (await import(/* @vite-ignore */ '@adalora/tensor-native')) as NativeModule;
    } catch {
      nativeModule = null;
    }
  }
  if (nativeModule === null) {
    nativeAvailable = false;
    return { installed: false, reason: 'pure-wasm kernels (npm install @adalora/tensor-native and apt-get install libopenblas0-pthread for native speed)', kernels: [] };
  }
  if (!want) {
    nativeModule.uninstallNativeKernels();
    return { installed: false, reason: 'pure-wasm kernels (native kernels turned off)', kernels: [] };
  }
  const result = nativeModule.installNativeKernels({ quiet: true });
  nativeAvailable = result.installed;
  return { installed: result.installed, reason: result.reason, kernels: result.kernels };
}

function shortCause(error: EngineUnavailableError): string {
  const cause = error.cause as { code?: string; message?: string } | undefined;
  if (cause?.code === 'ERR_MODULE_NOT_FOUND' || cause?.code === 'MODULE_NOT_FOUND') return 'not installed';
  return cause?.message?.split('\n')[0] ?? error.message;
}

async function activate(engine: Engine): Promise<void> {
  const { module, backendName, install } = enginePackages[engine];
  try {
    await import(/* @vite-ignore */ module);
  } catch (cause) {
    throw new EngineUnavailableError({ engine, message: `The '${engine}' engine needs ${module}, which could not be loaded. Install it: ${install}.`, cause });
  }
  const ok = await tf.setBackend(backendName);
  if (!ok) throw new EngineUnavailableError({ engine, message: `The '${engine}' engine (${module}) failed to initialise. ${install}.` });
  await tf.ready();
  const backend = tf.findBackend(backendName) as object;
  if (engine === 'cpu') {
    // The cpu backend prints a "use tfjs-node" banner on first use; initBackend's reason says it better.
    (backend as { firstUse: boolean }).firstUse = false;
  }
  if ((engine === 'cpu' || engine === 'wasm') && !fixedBackends.has(backend)) {
    if (engine === 'wasm') installWasmMatMul(backend as WasmBackend);
    replaceKernel('UnsortedSegmentSum', engine, () => installUnsortedSegmentSum(engine));
    fixedBackends.add(backend);
  }
}
