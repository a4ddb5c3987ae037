import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { installSoftmaxGradient, nativeFusedKernels } from './fused-ops.js';
import { restoreGradients } from './gradient-overrides.js';
import { installGatherGradient, nativeGather, nativeGatherGrad, nativeUnsortedSegmentSum } from './native-gather.js';
import { loadNative, type LoadedBlas } from './native-addon.js';
import { nativeErf, nativeExp, nativeSum, sharedIdentity } from './native-elementwise.js';
import { nativeBatchMatMul, nativeFusedMatMul } from './native-matmul.js';

/** What `installNativeKernels` did: whether native kernels now serve the wasm engine, why, and which. */
export interface NativeInstallResult {
  /** True when native kernels are registered (all of them, or all but the matmuls when OpenBLAS is missing). */
  installed: boolean;
  /** One line, for logs: the library and kernels in use, or why (part of) the pure-wasm path stays. */
  reason: string;
  /** Kernel names now served by this package on the wasm backend (empty when not installed). */
  kernels: string[];
  /** The OpenBLAS library serving the matmuls, or null when they stay on wasm. */
  blas: LoadedBlas | null;
}

/** Options of `installNativeKernels`. */
export interface NativeInstallOptions {
  /** OpenBLAS to load: a path or soname. Default: `$ADALORA_OPENBLAS`, else libopenblas.so.0 and friends. */
  library?: string;
  /** Print nothing when falling back (the notice is also in `reason`). Default false. */
  quiet?: boolean;
}

/** The kernels registered before ours, restored by `uninstallNativeKernels`. */
const replaced = new Map<string, KernelConfig | undefined>();
let noticePrinted = false;

const installHint = 'on Debian/Ubuntu: apt-get install libopenblas0-pthread';

/**
 * Registers this package's kernels on the TensorFlow.js wasm backend, in place on the wasm heap:
 * - `BatchMatMul`, `_FusedMatMul` on OpenBLAS's `cblas_sgemm` (transposes as BLAS flags, zero copies);
 * - `Exp`, `Erf` vectorised, `Sum` over contiguous axes without a transpose (bias gradients), `Identity`
 *   without a copy (tfjs clones every tensor it saves for the backward pass);
 * - the fused kernels behind `layerNorm`, `gelu` and the `Softmax` gradient (see `fusedKernelNames`).
 *
 * Call it once the wasm backend's own kernels and any other overrides are registered (at the end of
 * `initBackend` for the wasm engine); before `@tensorflow/tfjs-backend-wasm` is imported it installs nothing
 * and says so. Calling it again re-registers the same kernels. Where the addon was
 * not built, nothing is registered and the pure-wasm kernels keep serving; where only OpenBLAS is missing,
 * the matmuls stay on wasm and the rest is installed. Either way `reason` says why in one line, also printed
 * once to stderr unless `quiet`. `$ADALORA_OPENBLAS` names the library; a missing path forces the fallback.
 */
export function installNativeKernels(options: NativeInstallOptions = {}): NativeInstallResult {
  if (getKernel('Add', 'wasm') === undefined) {
    // tfjs-backend-wasm registers its kernels when imported and would then overwrite ours.
    return { installed: false, reason: 'native kernels not installed: @tensorflow/tfjs-backend-wasm is not loaded yet (import it first)', kernels: [], blas: null };
  }
  const native = loadNative(options.library);
  const notice = (reason: string) => {
    if (options.quiet !== true && !noticePrinted) {
      noticePrinted = true;
      console.warn(`@adalora/tensor-native: ${reason}`);
    }
  };
  if (native.addon === null) {
    const reason = `native kernels not installed: ${native.reason}; using the pure-wasm kernels`;
    notice(reason);
    return { installed: false, reason, kernels: [], blas: null };
  }
  const { addon, blas } = native;
  const previous = (name: string) => replaced.get(name)?.kernelFunc;
  const configs = [
    ...(blas !== null ? [nativeBatchMatMul(addon), nativeFusedMatMul(addon)] : []),
    nativeExp(addon, previous),
    nativeErf(addon, previous),
    nativeSum(addon, previous),
    sharedIdentity(previous),
    nativeGather(addon, previous),
    nativeUnsortedSegmentSum(addon, previous),
    ...nativeFusedKernels(addon),
    nativeGatherGrad(addon),
  ];
  for (const config of configs) {
    const current = getKernel(config.kernelName, 'wasm');
    if (!replaced.has(config.kernelName)) replaced.set(config.kernelName, current);
    if (current !== undefined) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
  installSoftmaxGradient();
  installGatherGradient();
  const kernels = configs.map((c) => c.kernelName);
  if (blas === null) {
    const reason = `matmuls stay on wasm: ${native.blasReason} (${installHint}); native elementwise and fused kernels: ${kernels.join(', ')}`;
    notice(reason);
    return { installed: true, reason, kernels, blas: null };
  }
  const version = /OpenBLAS\s+(\S+)/.exec(blas.config)?.[1];
  const reason = `native kernels, matmuls on OpenBLAS${version !== undefined ? ` ${version}` : ''} (${blas.library}, ${blas.threads} threads): ${kernels.join(', ')}`;
  return { installed: true, reason, kernels, blas };
}

/**
 * Puts back the wasm kernels and the softmax gradient that `installNativeKernels` replaced (used by tests and
 * benchmarks to compare the two paths in one process).
 */
export function uninstallNativeKernels(): void {
  for (const [name, previous] of replaced) {
    if (getKernel(name, 'wasm') !== undefined) unregisterKernel(name, 'wasm');
    if (previous !== undefined) registerKernel(previous);
  }
  replaced.clear();
  restoreGradients();
}
