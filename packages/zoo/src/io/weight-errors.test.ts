import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { useBackend } from '@mobilenets/ops/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerTinySpecs } from '../__fixtures__/tiny-specs.js';
import { ModelConfigError, ModelFileError, UnsafePickleError, WeightMismatchError } from '../errors.js';
import { createModel } from '../registry.js';
import { encodeSafetensors } from './export-weights.js';
import { loadWeights } from './node/load-weights.js';
import { readSafetensors } from './safetensors.js';
import { zipEntries, zipEntryData } from './zip.js';

const fixture = (name: string) => fileURLToPath(new URL(`../__fixtures__/weights/${name}`, import.meta.url));
/** What the hostile pickles of fixtures/weight_formats.py would create, had anything of them run. */
const MARKER = '/tmp/mobilenets-hostile-pickle-ran';
const tiny = (name: string, options = {}) => createModel(name, { numClasses: 4, inputSize: 32, ...options });
const snapshot = (model: tfl.LayersModel) => model.weights.map((w) => Array.from(w.read().dataSync()));

/** Loads `file` into a fresh `model`, expects the failure, and checks every weight is as it was. */
async function failure(model: string, file: string, format: Parameters<typeof loadWeights>[2]['format'] = 'auto', options = {}): Promise<Error> {
  const m = tiny(model, options);
  const before = snapshot(m);
  const error = await loadWeights(m, file, { format }).then(
    () => new Error('loaded'),
    (e: unknown) => e as Error,
  );
  expect(snapshot(m)).toEqual(before);
  m.dispose();
  return error;
}

let dir: string;
beforeAll(async () => {
  await useBackend('wasm');
  registerTinySpecs();
  dir = await mkdtemp(join(tmpdir(), 'mobilenets-weight-errors-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('hostile pickles: refused by the global they name, nothing executed, the model unchanged', () => {
  beforeEach(() => rm(MARKER, { force: true }));

  it.each([
    ['hostile_os_system.pth', 'posix.system', 'a state_dict that would fit but for one entry whose __reduce__ is os.system'],
    ['hostile_eval.pdparams', '__builtin__.eval', 'a .pdparams whose array is builtins.eval (protocol 2 spells it __builtin__)'],
    ['hostile_subprocess.pth', 'commands.call', 'a legacy torch.save file calling subprocess.call (protocol 2 spells it commands.call)'],
  ])('%s → %s (%s)', async (file, global) => {
    const before = tf.memory().numTensors;
    const error = await failure('test_v1_tiny', fixture(file));
    expect(error).toBeInstanceOf(UnsafePickleError);
    expect(error).toBeInstanceOf(ModelFileError);
    expect(error).toMatchObject({ global });
    expect(error.message).toMatch(new RegExp(`pickle global '${global.replace('.', '\\.')}' at byte \\d+ is not allowed`));
    expect(existsSync(MARKER)).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('damaged and mismatched files: a typed error naming the key, offset or cause; the model unchanged', () => {
  const cut = async (file: string, keep: number) => {
    const bytes = readFileSync(fixture(file));
    const path = join(dir, `cut-${keep}-${file}`);
    await writeFile(path, bytes.subarray(0, Math.round(bytes.length * keep)));
    return path;
  };

  it.each([
    ['v2_torchvision.pth', /not a valid zip \(torch\.save\) file: no end-of-central-directory record \(a truncated file\?\)/],
    ['v3_torchvision_legacy.pth', /legacy torch\.save file: storage \d+ at byte \d+ needs \d+ bytes, \d+ left \(a truncated file\?\)/],
    ['v2_paddle.pdparams', /not a valid pickle: needs \d+ bytes, \d+ left \(a truncated file\?\) \(opcode 0x[0-9a-f]+ at byte \d+\)/],
    ['v2_keras.h5', /cut-0\.5-v2_keras\.h5: cannot be opened as HDF5 \(a damaged or truncated file\?\)/],
  ])('%s cut in half → ModelFileError: %s', async (file, message) => {
    const error = await failure(file.startsWith('v3') ? 'test_v3_tiny' : 'test_v2_tiny', await cut(file, 0.5));
    expect(error).toBeInstanceOf(ModelFileError);
    expect(error.message).toMatch(message);
  });

  it("a damaged .h5 writes nothing on stderr: HDF5's diagnostics are the error's cause (the built zoo, in a child)", async () => {
    const path = await cut('v2_keras.h5', 0.5);
    const script = `import { initBackend } from '@mobilenets/ops'; import { createModel, loadWeights } from '@mobilenets/zoo';
      await initBackend('cpu');
      await loadWeights(createModel('mobilenetv2_035', { numClasses: 4 }), process.argv[1], { format: 'keras' }).catch((e) => console.log(JSON.stringify({ message: e.message, cause: String(e.cause) })));`;
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, path], { timeout: 60_000 });
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toMatchObject({ message: expect.stringMatching(/cannot be opened as HDF5/), cause: expect.stringMatching(/HDF5-DIAG: Error detected/) });
  });

  it('a torch.save zip with a damaged byte in a storage: its CRC-32 names the entry', async () => {
    const bytes = new Uint8Array(readFileSync(fixture('v1_timm.pth')));
    const entry = zipEntries('v1_timm.pth', bytes).get('v1_timm/data/6')!;
    zipEntryData('v1_timm.pth', bytes, entry)[100]! ^= 0xff; // a stored entry is a view: this flips a byte of the file
    const path = join(dir, 'flipped.pth');
    await writeFile(path, bytes);
    const error = await failure('test_v1_tiny', path);
    expect(error.message).toMatch(/zip entry [^ ]+\/data\/\d+: its CRC-32 does not match/);
  });

  it("another family's PaddleClas file: the first missing key, named with the weight it was needed for", async () => {
    const error = await failure('test_v2_tiny', fixture('v1_paddle.pdparams'), 'paddle');
    expect(error).toBeInstanceOf(WeightMismatchError);
    expect(error.message).toMatch(/^conv1\._conv\.weight: missing from .*v1_paddle\.pdparams \(needed for stem\/conv\/kernel\)$/);
  });

  it('the right names at another width: the shape mismatch, named', async () => {
    const error = await failure('test_v3_tiny', fixture('v3_keras.h5'), 'keras', { widthMultiplier: 2 });
    expect(error).toBeInstanceOf(WeightMismatchError);
    expect(error.message).toMatch(/^stem\/conv\/kernel: shape \[3,3,3,8\] in .*v3_keras\.h5, \[3,3,3,16\] in the model$/);
  });

  it('a key the model has no place for: WeightMismatchError naming it', async () => {
    const { tensors } = await readSafetensors(fixture('v1_timm.safetensors'));
    tensors.set('conv_stem.extra', { shape: [2], values: new Float32Array([1, 2]) });
    const path = join(dir, 'extra.safetensors');
    const entries = [...tensors].map(([key, t]) => ({ key, dtype: 'F32' as const, shape: t.shape, bytes: new Uint8Array(t.values.buffer) }));
    await writeFile(path, encodeSafetensors(entries));
    const error = await failure('test_v1_tiny', path, 'timm');
    expect(error).toBeInstanceOf(WeightMismatchError);
    expect(error.message).toMatch(/^conv_stem\.extra: in .*extra\.safetensors but not in test_v1_tiny \(1 such tensors\)$/);
  });

  it('auto on a file whose keys no naming knows; a family a naming has no map for', async () => {
    const auto = await failure('test_v1_tiny', fixture('numpy_cases_p4.pdparams'));
    expect(auto).toBeInstanceOf(WeightMismatchError);
    expect(auto.message).toMatch(/^f4: in .*: none of its keys is one torchvision, timm, PaddleClas or Keras gives a mobilenetv1 weight$/);
    const keras = await failure('test_next_tiny', fixture('v3_keras.h5'), 'keras');
    expect(keras).toBeInstanceOf(ModelConfigError);
    expect(keras.message).toMatch(/no Keras key map for mobilenext/);
  });

  it('a Keras file without the optional package h5wasm: a ModelFileError naming the package (the built zoo, in a child)', async () => {
    const child = fileURLToPath(new URL('../__fixtures__/no-h5wasm.mjs', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [child, fixture('v2_keras.h5')], { timeout: 60_000 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({
      name: 'ModelFileError',
      message: expect.stringMatching(/v2_keras\.h5: reading Keras \.h5 weights needs the optional package 'h5wasm': npm install h5wasm$/),
      cause: expect.stringMatching(/Cannot find package h5wasm/),
    });
  });

  it('a file of no known format, and a pickle that holds no state_dict', async () => {
    const text = join(dir, 'notes.pth');
    await writeFile(text, 'just some text, long enough to look at');
    expect((await failure('test_v1_tiny', text)).message).toMatch(/notes\.pth: is not a weight file the zoo reads \(\.pth\)/);
    const list = join(dir, 'list.pdparams');
    await writeFile(list, Buffer.from([0x80, 0x02, 0x5d, 0x2e])); // pickle.dumps([], protocol=2)
    expect((await failure('test_v1_tiny', list)).message).toMatch(/list\.pdparams: holds a list or tuple, not a state_dict/);
  });
});
