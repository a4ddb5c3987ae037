import * as tf from '@tensorflow/tfjs-core';
import { getKernel, Softmax } from '@tensorflow/tfjs-core';
import type { GradSaveFunc, KernelConfig, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { overrideGradient } from './gradient-overrides.js';
import type { NativeAddon } from './native-addon.js';
import { unaryOp } from './native-elementwise.js';
import { heapOffset, type WasmHeapBackend } from './wasm-heap-backend.js';

/**
 * Names of the fused kernels. A backend that registers them gets the fused path of `layerNorm` / `gelu` and
 * of the softmax gradient; every other backend computes the same functions from tfjs-core ops.
 */
export const fusedKernelNames = {
  layerNorm: 'AdaLoraLayerNorm',
  layerNormGrad: 'AdaLoraLayerNormGrad',
  gelu: 'AdaLoraGelu',
  geluGrad: 'AdaLoraGeluGrad',
  softmaxGrad: 'AdaLoraSoftmaxGrad',
  gatherGrad: 'AdaLoraGatherGrad',
} as const;

/** Whether the active backend has kernel `name`. */
export const hasKernel = (name: string): boolean => getKernel(name, tf.getBackend()) !== undefined;
/** Runs kernel `name` on the active backend, recorded like any op. */
export const runKernel = (name: string, inputs: Record<string, Tensor>, attrs: NamedAttrMap = {}): Tensor | Tensor[] =>
  tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs) as Tensor | Tensor[];

/**
 * Layer normalisation over the last axis, as PyTorch's `nn.LayerNorm`:
 * y = (x − mean) / √(var + eps) · gamma + beta, var the biased variance of each row.
 *
 * With the fused kernels (wasm + this package's native kernels) the forward is one pass that also keeps each
 * row's mean and 1/√(var + eps), and the backward one pass computing
 * dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·gamma, x̂ = (x − mean)·rstd, plus dgamma = Σ dy·x̂ and
 * dbeta = Σ dy. Elsewhere it is built from `moments` (the same formula, about 25 kernels forward and backward).
 */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Tensor {
  if (!hasKernel(fusedKernelNames.layerNorm) || x.dtype !== 'float32') {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, x.rank - 1, true);
      return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
    });
  }
  const fused = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const [input, g, b] = args as [Tensor, Tensor, Tensor];
    const save = args[3] as GradSaveFunc;
    const [y, mean, rstd] = runKernel(fusedKernelNames.layerNorm, { x: input, gamma: g, beta: b }, { epsilon: eps }) as [Tensor, Tensor, Tensor];
    save([input, g, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const [sx, sg, sm, sr] = saved as [Tensor, Tensor, Tensor, Tensor];
        const [dx, dgamma, dbeta] = runKernel(fusedKernelNames.layerNormGrad, { dy: dy as Tensor, x: sx, mean: sm, rstd: sr, gamma: sg }) as [Tensor, Tensor, Tensor];
        return [dx, tf.reshape(dgamma, g.shape), tf.reshape(dbeta, b.shape)];
      },
    };
  });
  return fused(x, gamma, beta);
}

/**
 * Exact GELU, y = x·Φ(x) = 0.5·x·(1 + erf(x/√2)) (PyTorch's default `F.gelu`, transformers' `gelu`), with
 * dx = dy·(Φ(x) + x·φ(x)), φ(x) = e^(−x²/2)/√(2π). One native pass each way with the fused kernels; from
 * tfjs-core ops elsewhere.
 */
export function gelu(x: Tensor): Tensor {
  if (!hasKernel(fusedKernelNames.gelu) || x.dtype !== 'float32') {
    return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
  }
  const fused = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const input = args[0] as Tensor;
    (args[1] as GradSaveFunc)([input]);
    return {
      value: runKernel(fusedKernelNames.gelu, { x: input }) as Tensor,
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => runKernel(fusedKernelNames.geluGrad, { dy: dy as Tensor, x: saved[0] as Tensor }) as Tensor,
    };
  });
  return fused(x);
}

/**
 * Replaces the gradient of tfjs's `Softmax` kernel (so every `tf.softmax` benefits) by one that, where the
 * fused kernel exists, computes dx = y·(dy − Σ_j dy_j·y_j) in one pass over each row; elsewhere it calls the
 * stock gradient (the same formula from four kernels).
 */
export function installSoftmaxGradient(): void {
  overrideGradient(Softmax, (stock) => ({
    kernelName: Softmax,
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [y] = saved as [Tensor];
      if (!hasKernel(fusedKernelNames.softmaxGrad) || y.dtype !== 'float32') return stock.gradFunc(dy, saved, attrs);
      return { logits: () => runKernel(fusedKernelNames.softmaxGrad, { dy: dy as Tensor, y }) as Tensor };
    },
  }));
}

/** The fused kernels on the wasm backend, computed by the addon in place on the wasm heap. */
export function nativeFusedKernels(addon: NativeAddon): KernelConfig[] {
  const heap = (backend: WasmHeapBackend) => backend.wasm.HEAPU8.buffer as ArrayBuffer;
  const rowsOf = (info: TensorInfo) => {
    const cols = info.shape[info.shape.length - 1] ?? 1;
    return { rows: cols === 0 ? 0 : tf.util.sizeFromShape(info.shape) / cols, cols };
  };
  return [
    {
      kernelName: fusedKernelNames.layerNorm,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend: b, attrs }) => {
        const backend = b as WasmHeapBackend;
        const { x, gamma, beta } = inputs as Record<string, TensorInfo>;
        const { rows, cols } = rowsOf(x as TensorInfo);
        checkVector('gamma', gamma as TensorInfo, cols);
        checkVector('beta', beta as TensorInfo, cols);
        const leading = (x as TensorInfo).shape.slice(0, -1);
        const y = backend.makeOutput((x as TensorInfo).shape, 'float32');
        const mean = backend.makeOutput(leading, 'float32');
        const rstd = backend.makeOutput(leading, 'float32');
        addon.layerNorm(heap(backend), heapOffset(backend, x as TensorInfo), heapOffset(backend, gamma as TensorInfo), heapOffset(backend, beta as TensorInfo),
          (attrs as { epsilon: number }).epsilon, rows, cols, heapOffset(backend, y), heapOffset(backend, mean), heapOffset(backend, rstd));
        return [y, mean, rstd];
      },
    },
    {
      kernelName: fusedKernelNames.layerNormGrad,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend: b }) => {
        const backend = b as WasmHeapBackend;
        const { dy, x, mean, rstd, gamma } = inputs as Record<string, TensorInfo>;
        const { rows, cols } = rowsOf(x as TensorInfo);
        const dx = backend.makeOutput((x as TensorInfo).shape, 'float32');
        const dgamma = backend.makeOutput([cols], 'float32');
        const dbeta = backend.makeOutput([cols], 'float32');
        addon.layerNormGrad(heap(backend), heapOffset(backend, dy as TensorInfo), heapOffset(backend, x as TensorInfo), heapOffset(backend, mean as TensorInfo),
          heapOffset(backend, rstd as TensorInfo), heapOffset(backend, gamma as TensorInfo), rows, cols, heapOffset(backend, dx), heapOffset(backend, dgamma),
          heapOffset(backend, dbeta));
        return [dx, dgamma, dbeta];
      },
    },
    {
      kernelName: fusedKernelNames.gelu,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend: b }) => {
        const backend = b as WasmHeapBackend;
        const x = (inputs as Record<string, TensorInfo>).x as TensorInfo;
        const y = backend.makeOutput(x.shape, 'float32');
        addon.unary(heap(backend), unaryOp.gelu, heapOffset(backend, x), heapOffset(backend, y), tf.util.sizeFromShape(x.shape));
        return y;
      },
    },
    {
      kernelName: fusedKernelNames.geluGrad,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend: b }) => {
        const backend = b as WasmHeapBackend;
        const { dy, x } = inputs as Record<string, TensorInfo>;
        const dx = backend.makeOutput((x as TensorInfo).shape, 'float32');
        addon.geluGrad(heap(backend), heapOffset(backend, dy as TensorInfo), heapOffset(backend, x as TensorInfo), heapOffset(backend, dx), tf.util.sizeFromShape((x as TensorInfo).shape));
        return dx;
      },
    },
    {
      kernelName: fusedKernelNames.softmaxGrad,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend: b }) => {
        const backend = b as WasmHeapBackend;
        const { dy, y } = inputs as Record<string, TensorInfo>;
        const { rows, cols } = rowsOf(y as TensorInfo);
        const dx = backend.makeOutput((y as TensorInfo).shape, 'float32');
        addon.softmaxGrad(heap(backend), heapOffset(backend, dy as TensorInfo), heapOffset(backend, y as TensorInfo), rows, cols, heapOffset(backend, dx));
        return dx;
      },
    },
  ];
}

function checkVector(name: string, info: TensorInfo, cols: number): void {
  if (info.dtype !== 'float32' || tf.util.sizeFromShape(info.shape) !== cols) {
    throw new Error(`layerNorm: ${name} must be float32 with ${cols} values (the last axis of x), got ${info.dtype} [${info.shape.join(', ')}]`);
  }
}
