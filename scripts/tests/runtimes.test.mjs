// The built packages under Node, Bun and Deno (both from the npm registry as devDependencies): the same seeded
// job per package gives the same numbers everywhere, every entry point loads from `require` and from `import` as one
// instance, and errors keep their cause. Run after `npm run build`: node --test scripts/tests/runtimes.test.mjs
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const SMOKE = 'scripts/tests/runtime-smoke.mjs';
const REQUIRE = 'scripts/tests/runtime-require.cjs';
const RUNTIMES = {
  node: [process.execPath],
  bun: [`${root}/node_modules/.bin/bun`],
  deno: [`${root}/node_modules/.bin/deno`, 'run', '-A'],
};

async function run([command, ...args], script, ...rest) {
  const { stdout, stderr } = await exec(command, [...args, script, ...rest], { cwd: root, timeout: 180_000, maxBuffer: 1 << 24 });
  return { result: JSON.parse(stdout.trim().split('\n').at(-1)), stderr };
}

/** The largest difference relative to the largest magnitude of `expected`. */
function relativeError(actual, expected) {
  assert.equal(actual.length, expected.length);
  const scale = Math.max(...expected.map(Math.abs), 1e-12);
  return Math.max(...actual.map((a, i) => Math.abs(a - expected[i]))) / scale;
}

describe('Node, Bun and Deno', () => {
  let node;

  it('node: the smoke job on 2 wasm threads (the reference)', async () => {
    const { result, stderr } = await run(RUNTIMES.node, SMOKE, '2');
    assert.deepEqual([result.backend, result.threads, result.gradShape], ['wasm', 2, [2, 32, 32, 3]]);
    assert.equal(result.block.length, 6 * 6 * 8);
    assert.equal(result.logits.length, 20);
    assert.deepEqual([...result.labels].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.ok(Number.isFinite(result.loss));
    assert.ok([...result.block, ...result.logits, ...result.grad].every(Number.isFinite));
    assert.equal(stderr, '');
    node = result;
  });

  for (const [name, threads, expected] of [
    ['bun', '1', 1],
    ['bun', '2', 2],
    ['deno', '2', 1],
  ]) {
    it(`${name}, ${threads} thread(s) asked, ${expected} given: the same numbers as Node`, async () => {
      const { result, stderr } = await run(RUNTIMES[name], SMOKE, threads);
      assert.equal(result.threads, expected);
      assert.ok(relativeError(result.block, node.block) <= 1e-5);
      assert.ok(relativeError(result.logits, node.logits) <= 1e-5);
      assert.ok(relativeError(result.grad, node.grad) <= 1e-4);
      assert.deepEqual(result.labels, node.labels);
      assert.ok(Math.abs(result.loss - node.loss) <= 1e-4 * Math.abs(node.loss));
      assert.deepEqual(result.prediction.classIds, node.prediction.classIds);
      assert.ok(relativeError(result.prediction.scores, node.prediction.scores) <= 1e-5);
      assert.equal(stderr, '');
    });
  }

  for (const name of Object.keys(RUNTIMES)) {
    it(`${name}: every entry point from require() is the module import() gives`, async () => {
      const { result, stderr } = await run(RUNTIMES[name], REQUIRE);
      for (const [entry, { exports, same }] of Object.entries(result)) {
        assert.ok(exports > 0, entry);
        assert.equal(same, true, entry);
      }
      assert.equal(Object.keys(result).length, 8);
      assert.equal(stderr, '');
    });
  }

  it('deno without --allow-read: the wasm backend fails with the refused read as cause, and prints nothing', async () => {
    const { result, stderr } = await run([RUNTIMES.deno[0], 'run', '--allow-env'], SMOKE, '--cause');
    assert.equal(result.name, 'BackendUnavailableError');
    assert.equal(result.causeName, 'NotCapable');
    assert.match(result.cause, /^NotCapable: Requires read access to ".*tfjs-backend-wasm.*\.wasm"/);
    assert.ok(result.message.endsWith(result.cause));
    assert.equal(stderr, '');
  });
});
