// Bundle sizes (not a test) of a page that imports only @mobilenets/blocks against one that imports the whole
// zoo: esbuild, platform browser, minified; with TensorFlow.js bundled in, and without it (tfjs external).
// Prints a markdown table for docs/browser.md.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const PAGES = {
  'one block (`InvertedResidual` from @mobilenets/blocks)': "import { InvertedResidual } from '@mobilenets/blocks'; console.log(InvertedResidual);",
  'all of @mobilenets/blocks': "import * as blocks from '@mobilenets/blocks'; console.log(blocks);",
  'all of @mobilenets/zoo': "import * as zoo from '@mobilenets/zoo'; console.log(zoo);",
  '@mobilenets/zoo + infer + train + data (the demo\'s set)': "export * as zoo from '@mobilenets/zoo'; export * as infer from '@mobilenets/infer'; export * as train from '@mobilenets/train'; export * as data from '@mobilenets/data';",
};

async function size(contents, tfjsExternal) {
  const out = await build({
    stdin: { contents, resolveDir: new URL('.', import.meta.url).pathname, loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    minify: true,
    write: false,
    external: tfjsExternal ? ['@tensorflow/*'] : [],
    logLevel: 'error',
  });
  const bytes = out.outputFiles[0].contents;
  return `${(bytes.length / 1024).toFixed(0)} kB (${(gzipSync(bytes).length / 1024).toFixed(0)} kB gzip)`;
}

console.log('| page imports | with TensorFlow.js | without (tfjs external) |\n|---|---|---|');
for (const [label, contents] of Object.entries(PAGES)) console.log(`| ${label} | ${await size(contents, false)} | ${await size(contents, true)} |`);
