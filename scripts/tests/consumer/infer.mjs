// infer and train without their optional packages: both load (ESM and CJS), and what needs a missing package
// names it. Argument: a model directory.
import { createRequire } from 'node:module';
import { initBackend } from '@mobilenets/ops';
import { isFailed, loadClassifier } from '@mobilenets/infer';
import * as train from '@mobilenets/train';

const require = createRequire(import.meta.url);
const described = (e) => ({ name: e.name, packageName: e.packageName, message: e.message, cause: String(e.cause) });
const dir = process.argv[2];

await initBackend('wasm', { threads: 1 });
const onnx = await loadClassifier(dir, { runtime: 'onnxruntime' }).catch(described);
const classifier = await loadClassifier(dir);
const [file] = await classifier.classify([new URL('./forward.mjs', import.meta.url).pathname]); // sharp decodes files
await classifier.dispose();
console.log(
  JSON.stringify({
    loads: typeof train.fit === 'function' && require('@mobilenets/train').fit === train.fit && require('@mobilenets/infer').loadClassifier === loadClassifier,
    onnx,
    file: isFailed(file) ? described(file.error) : 'classified',
  }),
);
