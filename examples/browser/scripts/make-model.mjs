// Writes the demo's self-hosted model directory (dist/model/): no pretrained weights can be downloaded here, so
// it is a zoo model with seeded weights and placeholder labels. Replace dist/model/ with any directory saveModel
// or mobilenets-convert wrote (pretrained ImageNet weights, your own training) to get real predictions.
import { existsSync } from 'node:fs';
import { initBackend } from '@mobilenets/ops';
import { saveModel } from '@mobilenets/zoo';
import { seededModel } from './seeded-model.mjs';

const dir = new URL('../dist/model', import.meta.url).pathname;
const name = process.env.DEMO_MODEL ?? 'mobilenetv3_small_100';
if (!existsSync(dir)) {
  await initBackend('cpu');
  const model = seededModel(name, { numClasses: 1000 }, 2026);
  await saveModel(model, dir, { labels: Array.from({ length: 1000 }, (_, i) => `class ${i} (seeded weights)`), provenance: { dataset: 'none: seeded weights' } });
  model.dispose();
  console.log(`demo model: ${name} written to ${dir}`);
}
