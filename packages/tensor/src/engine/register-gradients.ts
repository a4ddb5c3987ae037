/**
 * Registers every gradient function of tfjs-core (`tf.grad` fails without it: "gradient function not
 * found for ...").
 *
 * tfjs-core ships the registrations as an unbundled ESM file with extensionless imports that plain Node
 * cannot load, so this module is bundled into our `dist/` by tsup (`noExternal` in tsup.config.ts).
 * The registries live on `globalThis`, so registering through this bundled copy serves every copy of
 * tfjs-core in the process. This is why the package is not `"sideEffects": false`.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
