// Run after tsup in a package that ships `types/tfjs-layers.d.ts` (blocks): keeps tsup's declarations as
// `index.layers.d.ts` (the `tfjs-layers` export condition) and rewrites `index.d.ts` to name that file's
// declarations instead of tfjs-layers' own, which fail a strict compile (see types/tfjs-layers.d.ts).
import { copyFile, readFile, rename, writeFile } from 'node:fs/promises';

const TFJS_LAYERS = "import * as tfl from '@tensorflow/tfjs-layers';";
const text = await readFile('dist/index.d.ts', 'utf8');
if (!text.includes(TFJS_LAYERS)) throw new Error(`strict-types: dist/index.d.ts no longer has "${TFJS_LAYERS}"`);
await rename('dist/index.d.ts', 'dist/index.layers.d.ts');
await copyFile('types/tfjs-layers.d.ts', 'dist/tfjs-layers.d.ts');
await writeFile('dist/index.d.ts', text.replace(TFJS_LAYERS, "import type * as tfl from './tfjs-layers.js';"));
