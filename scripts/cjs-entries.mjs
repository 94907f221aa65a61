// Run after tsup in a package directory: gives each `require` entry of its exports map a CommonJS file that
// requires the ES module (Node >= 20.19, Bun and Deno load ES modules from require), and `.d.cts` copies of
// the declarations. One implementation for both: `require` and `import` share one instance of every module
// (one class per block, one tfjs registration, one backend state), so mixing them in one process is safe.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

const pkg = JSON.parse(await readFile('package.json', 'utf8'));

for (const [subpath, target] of Object.entries(pkg.exports)) {
  if (typeof target !== 'object' || target.require === undefined) continue;
  const esm = target.import.default;
  const cjs = target.require.default;
  if (!cjs.endsWith('.cjs') || !esm.endsWith('.js')) throw new Error(`exports['${subpath}']: expected .js / .cjs targets`);
  await writeFile(cjs, `'use strict';\n// The ES module is the implementation (see scripts/cjs-entries.mjs).\nmodule.exports = require('./${basename(esm)}');\n`);
}

// Declarations: every .d.ts (entries and shared chunks) as .d.cts, relative imports pointing at the .d.cts.
for (const file of await readdir('dist', { recursive: true })) {
  if (!file.endsWith('.d.ts')) continue;
  const text = await readFile(join('dist', file), 'utf8');
  await writeFile(join('dist', file.replace(/\.d\.ts$/, '.d.cts')), text.replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+)\.js\2/g, '$1$2$3.cjs$2'));
}
