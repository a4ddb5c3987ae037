import { packageConfig } from '../../vitest.shared.ts';

export default packageConfig({ testTimeout: 300_000 });
