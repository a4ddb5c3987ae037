import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // tfjs-core's gradient registrations are an unbundled ESM file that plain Node cannot load
  // (extensionless imports): bundle it so `tf.grad` works from the built output.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\/register_all_gradients/],
});
