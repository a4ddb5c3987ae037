import { libraryConfig } from '../../tsup.shared.ts';

// import.meta.url in the CJS build: the addon is found next to the bundle.
export default libraryConfig({ shims: true });
