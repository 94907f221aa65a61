// A model whose every weight comes from a seeded generator: the same numbers in Node and in a page, without
// pretrained weights (none can be downloaded here). Kernels are He-uniform (scaled by their fan-in, a depthwise
// kernel's being its window) so activations keep their size through the network; BatchNorm statistics stay
// positive where they must.
import { mulberry32 } from '@mobilenets/data';
import { createModel } from '@mobilenets/zoo';
import * as tf from '@tensorflow/tfjs-core';

export function seededModel(name, options, seed) {
  const model = createModel(name, options);
  const rng = mulberry32(seed);
  for (const w of model.weights) {
    const size = w.shape.reduce((a, b) => a * b, 1);
    const fanIn = /depthwise/.test(w.name) && w.shape.length === 4 ? w.shape[0] * w.shape[1] : w.shape.length > 1 ? size / w.shape.at(-1) : 1;
    const value = /moving_variance|gamma/.test(w.name) ? () => 0.5 + rng() : /moving_mean|beta|bias/.test(w.name) ? () => 0.2 * (rng() - 0.5) : () => (rng() - 0.5) * 2 * Math.sqrt(6 / fanIn);
    const t = tf.tensor(Float32Array.from({ length: size }, value), w.shape);
    w.write(t);
    t.dispose();
  }
  return model;
}
