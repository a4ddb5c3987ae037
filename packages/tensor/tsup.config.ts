import { libraryConfig } from '../../tsup.shared.ts';

export default libraryConfig({
  // tfjs-core's gradient registrations are an unbundled ESM file that plain Node cannot load
  // (extensionless imports): bundle it so `tf.grad` works from the built output.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\/register_all_gradients/],
});
