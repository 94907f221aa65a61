// The packed packages as a user gets them (dist-release/, from `npm run release:dry`): publint and attw on every
// tarball, then a fresh project that installs only blocks (with the sibling it needs, from the tarballs; third-party
// packages from the registry), runs a sandglass forward pass from ESM and from CommonJS, type-checks strictly, and
// bundles one block. Run: node --test scripts/tests/tarballs.test.mjs
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const packs = join(root, 'dist-release');
const bin = (name) => join(root, 'node_modules/.bin', name);
/** The lean install's budget: a quarter of what the whole tfjs union and Dawn cost (457 MB). */
const LEAN_BUDGET_MB = 120;

const tarballs = Object.fromEntries(
  (await readdir(packs).catch(() => []))
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => [f.replace(/^mobilenets-(.+)-\d+\.\d+\.\d+.*\.tgz$/, '$1'), join(packs, f)]),
);

/** Runs a script of the consumer project; its stdout's last line is JSON. */
async function runIn(cwd, args) {
  const { stdout, stderr } = await exec(process.execPath, args, { cwd, timeout: 120_000, maxBuffer: 1 << 24 });
  return { result: JSON.parse(stdout.trim().split('\n').at(-1)), stderr };
}

describe('the tarballs', () => {
  before(() => assert.ok(tarballs.blocks && tarballs.ops, `no tarballs in ${packs}: run npm run release:dry first`));

  for (const [name, tarball] of Object.entries(tarballs)) {
    it(`${name}: publint (strict) and attw (default profile) find nothing`, async () => {
      await exec(bin('publint'), ['run', tarball, '--strict'], { cwd: root });
      await exec(bin('attw'), [tarball, '--format', 'ascii'], { cwd: root });
    });
  }
});

describe('a project that installs only blocks', () => {
  let app;
  before(async () => {
    app = await mkdtemp(join(tmpdir(), 'mobilenets-consumer-'));
    await cp(fileURLToPath(new URL('./consumer', import.meta.url)), app, { recursive: true });
    await exec('npm', ['init', '-y'], { cwd: app });
    const install = [tarballs.blocks, tarballs.ops, '@tensorflow/tfjs-core@^4.22.0', '@tensorflow/tfjs-layers@^4.22.0'];
    await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...install], { cwd: app, timeout: 600_000 });
  });
  after(() => rm(app, { recursive: true, force: true }));

  it(`stays under ${LEAN_BUDGET_MB} MB, without the tfjs union, WebGL, WebGPU, Dawn or sharp`, async () => {
    const { stdout } = await exec('du', ['-sk', 'node_modules'], { cwd: app });
    const mb = Number(stdout.split('\t')[0]) / 1024;
    const { stdout: paths } = await exec('npm', ['ls', '--all', '--parseable'], { cwd: app });
    const packages = new Set(paths.trim().split('\n').slice(1)).size; // the first line is the project itself
    console.log(`lean install of @mobilenets/blocks: ${packages} packages, ${mb.toFixed(0)} MB`);
    assert.ok(mb <= LEAN_BUDGET_MB, `${mb.toFixed(0)} MB`);
    const absent = ['@tensorflow/tfjs', '@tensorflow/tfjs-converter', '@tensorflow/tfjs-data', '@tensorflow/tfjs-backend-webgl', '@tensorflow/tfjs-backend-webgpu', 'webgpu', 'sharp'];
    for (const pkg of absent) await assert.rejects(stat(join(app, 'node_modules', pkg)), `${pkg} is installed`);
  });

  it('runs a sandglass forward pass from ESM and from CommonJS, with the same numbers and one class for both', async () => {
    const esm = await runIn(app, ['forward.mjs']);
    const cjs = await runIn(app, ['forward.cjs']);
    for (const { result, stderr } of [esm, cjs]) {
      assert.deepEqual([result.backend, result.shape, result.leaked], ['wasm', [1, 8, 8, 16], 0]);
      assert.equal(stderr, '');
    }
    assert.equal(esm.result.values.length, 8 * 8 * 16);
    assert.ok(esm.result.values.every(Number.isFinite));
    assert.deepEqual(cjs.result.values, esm.result.values);
    assert.equal(cjs.result.sameClass, true);
  });

  it('names the optional package WebGPU needs, and auto falls back to wasm without a word on stderr', async () => {
    const { result, stderr } = await runIn(app, ['optional.mjs']);
    assert.equal(result.webgpu.name, 'BackendUnavailableError');
    assert.equal(result.webgpu.missingPackage, 'webgpu');
    assert.match(result.webgpu.message, /npm install webgpu$/);
    assert.match(result.webgpu.cause, /webgpu/);
    assert.equal(result.auto.name, 'wasm');
    assert.equal(result.auto.note, 'auto: wasm, since the optional package webgpu is not installed');
    assert.equal(stderr, '');
  });

  it('type-checks with --strict and no skipLibCheck, from ESM and from CommonJS', async () => {
    await exec(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: app }).catch((e) => {
      assert.fail(e.stdout);
    });
  });

  it('bundles to the blocks it imports: { Sandglass } keeps one of the nine block classes and its registration', async () => {
    const bundle = async (contents) => {
      const { outputFiles } = await build({
        stdin: { contents, resolveDir: app, loader: 'js' },
        absWorkingDir: app,
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'node',
        external: ['@tensorflow/*'],
        logLevel: 'silent',
      });
      return [...outputFiles[0].text.matchAll(/registerClass\((\w+)/g)].map((m) => m[1]).sort();
    };
    const all = await bundle("import * as blocks from '@mobilenets/blocks'; console.log(blocks);");
    assert.equal(all.length, 9, all.join());
    assert.deepEqual(await bundle("import { Sandglass } from '@mobilenets/blocks'; console.log(Sandglass);"), ['Sandglass']);
  });

  it('data without sharp: decoding an image is a MissingPackageError naming sharp', async () => {
    await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarballs.data], { cwd: app, timeout: 600_000 });
    const { result } = await runIn(app, ['sharp.mjs']);
    assert.equal(result.name, 'MissingPackageError');
    assert.equal(result.packageName, 'sharp');
    assert.equal(result.message, "decoding image files needs the optional package 'sharp': npm install sharp");
    assert.match(result.cause, /sharp/);
  });

  it('infer and train without onnxruntime-node or sharp: both load, and what needs one names it', async () => {
    await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarballs.zoo, tarballs.infer, tarballs.train], { cwd: app, timeout: 600_000 });
    for (const pkg of ['onnxruntime-node', 'sharp']) await assert.rejects(stat(join(app, 'node_modules', pkg)), `${pkg} is installed`);
    const { result, stderr } = await runIn(app, ['infer.mjs', join(root, 'packages/infer/src/__fixtures__/fashion-tiny')]);
    assert.equal(result.loads, true);
    assert.deepEqual([result.onnx.name, result.onnx.packageName], ['MissingPackageError', 'onnxruntime-node']);
    assert.equal(result.onnx.message, "runtime: 'onnxruntime' needs the optional package 'onnxruntime-node': npm install onnxruntime-node");
    assert.match(result.onnx.cause, /onnxruntime-node/);
    assert.deepEqual([result.file.name, result.file.packageName], ['MissingPackageError', 'sharp']);
    assert.match(result.file.message, /needs the optional package 'sharp': npm install sharp$/);
    assert.equal(stderr, '');
  });
});
