// A child process of the model-directory tests, on the built packages:
//   save <dir> <count>: saves a small model <count> times, with other weights each time, printing each
//     version's logits before saving it (MOBILENETS_TEST_KILL_AT kills it in the middle of a save);
//   load <dir>...: loads each directory, printing what came of it.
// One JSON line per event; an error as { name, code, message }.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@mobilenets/ops';
import { seeded, seededValues } from '@mobilenets/ops/testing';
import { createModel, loadModel, saveModel } from '@mobilenets/zoo';

const print = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);
const failure = (e) => ({ name: e.name, code: e.code, message: e.message });
const [mode, ...args] = process.argv.slice(2);
await initBackend('cpu');

if (mode === 'save') {
  const [dir, count] = args;
  const model = createModel('mobilenetv3_small_075', { numClasses: 3, inputSize: 32, widthMultiplier: 0.5 });
  const x = seeded([1, 32, 32, 3], 7);
  for (let k = 1; k <= Number(count); k++) {
    model.weights.forEach((w, i) => {
      const noise = seededValues(w.shape.reduce((a, b) => a * b, 1), k * 1000 + i);
      const values = w.originalName.endsWith('moving_variance') ? noise.map((v) => 1 + v / 2) : noise.map((v) => v / 10);
      const t = tf.tensor(values, w.shape);
      w.write(t);
      t.dispose();
    });
    print({ save: k, logits: Array.from(model.predict(x).dataSync()) });
    try {
      await saveModel(model, dir);
    } catch (e) {
      print(failure(e));
    }
  }
} else if (mode === 'load') {
  for (const dir of args) {
    try {
      const { model } = await loadModel(dir);
      model.dispose();
      print({ dir, loaded: true });
    } catch (e) {
      print({ dir, ...failure(e) });
    }
  }
}
