// The same as forward.mjs from CommonJS, then the ES module of blocks imported in the same process.
const tf = require('@tensorflow/tfjs-core');
const { initBackend } = require('@mobilenets/ops');
const { Sandglass } = require('@mobilenets/blocks');

async function main() {
  const info = await initBackend('wasm', { threads: 1 });
  const block = new Sandglass({ type: 'Sandglass', inChannels: 16, outChannels: 16, stride: 1, reduction: 4 });
  block.build([1, 8, 8, 16]);
  block.weights.forEach((w, i) => w.write(tf.tidy(() => tf.randomUniform(w.shape, 0.5, 1.5, 'float32', i + 1))));
  const before = tf.memory().numTensors;
  const x = tf.randomUniform([1, 8, 8, 16], -1, 1, 'float32', 7);
  const y = block.apply(x);
  const values = Array.from(await y.data());
  tf.dispose([x, y]);
  block.releaseInferenceCache(); // the folded BatchNorm weights the first call cached
  const esm = await import('@mobilenets/blocks');
  const registered = tf.serialization.SerializationMap.getMap().classNameMap.Sandglass[0];
  console.log(
    JSON.stringify({
      backend: info.name,
      shape: y.shape,
      values,
      leaked: tf.memory().numTensors - before,
      sameClass: esm.Sandglass === Sandglass && registered === Sandglass,
    }),
  );
}
main();
