import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

export default defineConfig(
  packageBuild({ entry: { index: 'src/index.ts' }, browser: { 'index.browser': 'src/index.browser.ts' }, bin: { 'bin/summary': 'src/node/bin/summary.ts', 'bin/convert': 'src/node/bin/convert.ts' } }),
);
