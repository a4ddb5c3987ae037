import { libraryConfig } from '../../tsup.shared.ts';

// `import.meta.url` locates the shipped assets/ (zoo tokenizers); the shim provides it in the CJS build.
export default libraryConfig({ shims: true });
