import tf = require('@tensorflow/tfjs-core');
import ops = require('@mobilenets/ops');
import blocks = require('@mobilenets/blocks');

void ops.initBackend('wasm').then(() => {
  const block = new blocks.Sandglass({ type: 'Sandglass', inChannels: 16, outChannels: 16, stride: 1, reduction: 4 });
  const y = block.apply(tf.zeros([1, 8, 8, 16])) as tf.Tensor;
  console.log(y.shape);
});
