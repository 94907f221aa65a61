// Loads a Keras .h5 file as if the optional package h5wasm were not installed: a resolve hook refuses it.
import { register } from 'node:module';

register(
  'data:text/javascript,export async function resolve(s, c, next) { if (s.startsWith("h5wasm")) throw Object.assign(new Error(`Cannot find package ${s}`), { code: "ERR_MODULE_NOT_FOUND" }); return next(s, c); }',
);
const { initBackend } = await import('@mobilenets/ops');
const { createModel, loadWeights } = await import('@mobilenets/zoo');
await initBackend('cpu');
const model = createModel('mobilenetv2_035', { numClasses: 4 });
try {
  await loadWeights(model, process.argv[2], { format: 'keras' });
  console.log(JSON.stringify({ loaded: true }));
} catch (err) {
  console.log(JSON.stringify({ name: err.name, message: err.message, cause: String(err.cause) }));
}
