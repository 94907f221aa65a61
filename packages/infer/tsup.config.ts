import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

export default defineConfig(
  packageBuild({ entry: { index: 'src/index.ts' }, browser: { 'index.browser': 'src/index.browser.ts' }, bin: { 'bin/predict': 'src/bin/predict.ts', 'bin/export': 'src/bin/export.ts' } }),
);
