import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

// One file per module: a bundler keeps only the blocks a user imports (each registers its own class).
export default defineConfig(packageBuild({ entry: { index: 'src/index.ts' }, perFile: ['src/**/*.ts', '!src/node/fixtures.ts'] }));
