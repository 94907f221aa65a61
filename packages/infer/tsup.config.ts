import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

export default defineConfig(
  packageBuild({ entry: { index: 'src/index.ts' }, browser: { 'index.browser': 'src/index.browser.ts' }, bin: { 'bin/predict': 'src/node/bin/predict.ts', 'bin/export': 'src/node/bin/export.ts' } }),
);
