/**
 * tfjs-core's Node entry (a CJS bundle) registers no gradients; `@tensorflow/tfjs` registers all of
 * them on that same engine (in a bundler, on the ESM engine the bundler picked), plus the cpu backend.
 */
let loaded: Promise<unknown> | undefined;

export function ensureGradients(): Promise<unknown> {
  loaded ??= import('@tensorflow/tfjs');
  return loaded;
}
