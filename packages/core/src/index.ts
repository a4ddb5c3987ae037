export {
  AdaLoraError,
  InvalidConfigError,
  UnknownImplementationError,
  UnsupportedInputError,
  editDistance,
} from './errors.js';
export { createRegistry } from './registry.js';
export type { Registry } from './registry.js';
export type { AdaptableLinear, AdaptableModel, BranchContext, LinearBranch } from './adaptable.js';
export { longestFirstLengths, strideWindows } from './truncation.js';
export type { TokenRange } from './truncation.js';
