export { installNativeKernels, uninstallNativeKernels } from './install-native-kernels.js';
export type { NativeInstallOptions, NativeInstallResult } from './install-native-kernels.js';
export { fusedKernelNames, gelu, layerNorm } from './fused-ops.js';
export { defaultOpenBlasNames, openBlasEnvVar } from './native-addon.js';
export type { LoadedBlas } from './native-addon.js';
