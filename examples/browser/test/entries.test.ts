import { fileURLToPath } from 'node:url';
import { build, type Message } from 'esbuild';
import { describe, expect, it } from 'vitest';

const PACKAGES = ['ops', 'blocks', 'zoo', 'data', 'train', 'infer'] as const;
/** Node-only packages the project uses: none may be reachable from a page either. */
const NODE_ONLY = ['sharp', 'onnxruntime-node', 'webgpu', 'h5wasm', 'protobufjs/src/util/fs'];

/**
 * Bundles what a page gets from `import * as m from '@mobilenets/<pkg>'` (esbuild, platform browser: the
 * `browser` export condition and the `browser` fields of dependencies) and lists every Node built-in or
 * Node-only package it reaches, with the file that imports it.
 */
async function nodeImports(specifier: string): Promise<string[]> {
  const found: string[] = [];
  const result = await build({
    stdin: { contents: `export * from '${specifier}';`, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  }).catch((err: { errors: Message[] }) => {
    for (const e of err.errors) found.push(`${e.text} (${e.location?.file})`);
    return undefined;
  });
  for (const input of Object.keys(result?.metafile.inputs ?? {})) {
    const pkgName = NODE_ONLY.find((name) => input.includes(`node_modules/${name}/`));
    if (pkgName) found.push(`${pkgName} bundled (${input})`);
  }
  return found;
}

describe("each package's browser entry", () => {
  it.each(PACKAGES)('@mobilenets/%s reaches no Node built-in and no Node-only package', async (pkg) => {
    expect(await nodeImports(`@mobilenets/${pkg}`)).toEqual([]);
  });

  it("finds them in ops' Node entry (the check can fail)", async () => {
    const nodeEntry = fileURLToPath(import.meta.resolve('@mobilenets/ops'));
    expect(nodeEntry).toMatch(/dist\/index\.js$/);
    expect((await nodeImports(nodeEntry)).join('\n')).toMatch(/worker_threads/);
  });
});

describe('errors in a minified page bundle', () => {
  it("keep their class's name as a string (minifiers rename the classes themselves)", async () => {
    const classes = { ops: ['OpsInputError', 'BackendUnavailableError'], data: ['DecodeError', 'OptionError'], infer: ['ImageInputError', 'ClassifierError'] };
    const imports = Object.entries(classes).map(([pkg, names]) => `export { ${names.join(', ')} } from '@mobilenets/${pkg}';`);
    const result = await build({
      stdin: { contents: imports.join('\n'), resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      minify: true,
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    for (const name of Object.values(classes).flat()) {
      expect(code).not.toContain(`class ${name}`);
      expect(code).toMatch(new RegExp(`name="${name}"`));
    }
  });
});
