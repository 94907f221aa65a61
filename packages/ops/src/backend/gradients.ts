/**
 * tfjs-core's Node entry (a CJS bundle) registers no gradients. tfjs-layers registers all of tfjs-core's on
 * that same engine (its Node bundle carries them; its ES module imports `register_all_gradients`, so in a
 * bundler they land on the engine the bundler picked), without the rest of the `@tensorflow/tfjs` union.
 */
let loaded: Promise<unknown> | undefined;

export function ensureGradients(): Promise<unknown> {
  loaded ??= import('@tensorflow/tfjs-layers');
  return loaded;
}
