import { execFile } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { seeded, useBackend } from '@mobilenets/ops/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { child } from '../../__fixtures__/node/run-child.js';
import { CIFAR10, IMAGENET_RESIZE_256, mobilenetV1, mobilenetV1Cifar } from '../../arch/specs.js';
import { ModelFileError, WriteError } from '../../errors.js';
import { createModel, registerModel } from '../../registry.js';
import { loadModel, saveModel } from './model-dir.js';

const NAME = 'mobilenetv3_small_075';
const OPTIONS = { numClasses: 3, inputSize: 32, widthMultiplier: 0.5 };

let root: string;
let n = 0;
beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'mobilenets-model-dir-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));
let tensors: number;
beforeEach(() => {
  tensors = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors, 'tensors left behind').toBe(tensors);
});

async function folder(): Promise<string> {
  const dir = join(root, String(n++));
  await mkdir(dir);
  return dir;
}
const failure = (p: Promise<unknown>) => p.then(() => expect.unreachable('it should have failed'), (e: unknown) => e as Error);
/** The logits of a model on a fixed input. */
async function logits(model: ReturnType<typeof createModel>): Promise<number[]> {
  const x = seeded([1, 32, 32, 3], 7);
  const y = model.predict(x) as tf.Tensor;
  const values = Array.from(await y.data());
  tf.dispose([x, y]);
  return values;
}
/** Loads a directory and gives its logits, leaving no tensor behind. */
async function loadedLogits(dir: string): Promise<number[]> {
  const { model } = await loadModel(dir);
  const values = await logits(model);
  model.dispose();
  return values;
}

describe('saveModel never loses a file', () => {
  it('a trailing slash over a saved model replaces it', async () => {
    const dir = await folder();
    const [a, b] = [createModel(NAME, OPTIONS), createModel(NAME, OPTIONS)];
    await saveModel(a, join(dir, 'model'));
    await saveModel(b, `${join(dir, 'model')}/`);
    expect(await loadedLogits(join(dir, 'model'))).toEqual(await logits(b));
    expect(await readdir(dir)).toEqual(['model']);
    expect((await readdir(join(dir, 'model'))).sort()).toEqual(['mobilenets.json', 'model.json', 'weights.bin']);
    a.dispose();
    b.dispose();
  });

  it('onto a folder that is not a model (thesis.tex, sub/data.csv): a WriteError and nothing touched; overwrite: true replaces it', async () => {
    const target = join(await folder(), 'thesis');
    await mkdir(join(target, 'sub'), { recursive: true });
    await writeFile(join(target, 'thesis.tex'), '\\section{Results}');
    await writeFile(join(target, 'sub', 'data.csv'), 'a,b\n1,2\n');
    const model = createModel(NAME, OPTIONS);
    const error = await failure(saveModel(model, target));
    expect(error).toBeInstanceOf(WriteError);
    expect(error.message).toBe(`${target}: exists and is a directory this write does not replace; nothing was changed (pass overwrite: true to replace it)`);
    expect(await readFile(join(target, 'thesis.tex'), 'utf8')).toBe('\\section{Results}');
    expect(await readFile(join(target, 'sub', 'data.csv'), 'utf8')).toBe('a,b\n1,2\n');
    await saveModel(model, target, { overwrite: true });
    expect(await loadedLogits(target)).toEqual(await logits(model));
    model.dispose();
  });

  it('onto a regular file: a WriteError and the file kept', async () => {
    const path = join(await folder(), 'notes.txt');
    await writeFile(path, 'keep me');
    const model = createModel(NAME, OPTIONS);
    expect(await failure(saveModel(model, path))).toMatchObject({ name: 'WriteError', code: 'EEXIST', path });
    expect(await readFile(path, 'utf8')).toBe('keep me');
    model.dispose();
  });

  it('two concurrent saves of different models: both succeed in turn and the directory holds one of them whole', async () => {
    const dir = await folder();
    const models = [createModel(NAME, OPTIONS), createModel(NAME, OPTIONS)];
    await saveModel(models[0]!, join(dir, 'model'));
    await Promise.all(models.map((m) => saveModel(m, join(dir, 'model'))));
    const candidates = await Promise.all(models.map(logits));
    expect(candidates).toContainEqual(await loadedLogits(join(dir, 'model')));
    expect(await readdir(dir)).toEqual(['model']);
    for (const m of models) m.dispose();
  });

  it('a folder the user may not write into: a WriteError EACCES naming the path', async () => {
    const dir = await folder();
    await chmod(root, 0o755);
    await chmod(dir, 0o555);
    // Root may write anywhere: the child then runs as nobody.
    const ids = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const { lines } = await child(['save', join(dir, 'model'), '1'], ids);
    expect(lines[1]).toMatchObject({ name: 'WriteError', code: 'EACCES', message: `${join(dir, 'model')}: cannot write it (EACCES: permission denied)` });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('loadModel reads an untrusted directory safely', () => {
  let good: string;
  beforeAll(async () => {
    good = join(await folder(), 'good');
    const model = createModel(NAME, OPTIONS);
    await saveModel(model, good);
    model.dispose();
  });

  /** The fields of model.json and mobilenets.json that the tests tamper with. */
  interface Editable {
    weightsManifest: { paths: string[] }[];
    userDefinedMetadata?: unknown;
    formatVersion?: number;
    name: string;
    options: { numClasses: number; inputSize: number };
    preprocessing: { std: number[] };
    labels: string[];
  }
  /** A copy of the good directory with `change` applied to the JSON of `file`. */
  async function tampered(file: string, change: (json: Editable) => void): Promise<string> {
    const dir = join(await folder(), 'model');
    await cp(good, dir, { recursive: true });
    const json = JSON.parse(await readFile(join(dir, file), 'utf8'));
    change(json);
    await writeFile(join(dir, file), JSON.stringify(json));
    return dir;
  }
  const weightPath = (path: string) => (json: Editable) => {
    json.weightsManifest[0]!.paths = [path];
  };
  const refused = async (dir: string, message: RegExp) => {
    const error = await failure(loadModel(dir));
    expect(error).toBeInstanceOf(ModelFileError);
    expect(error.message).toMatch(message);
  };

  it('weight paths with `..`, absolute, or a link leading outside the directory: refused', async () => {
    const outside = await tampered('model.json', weightPath('../weights.bin'));
    await cp(join(good, 'weights.bin'), join(outside, '..', 'weights.bin'));
    await refused(outside, /model\.json: path '\.\.\/weights\.bin' leaves the model directory; refused$/);
    await refused(await tampered('model.json', weightPath(join(good, 'weights.bin'))), /path '\/.*\/good\/weights\.bin' leaves the model directory/);
    const linked = await tampered('model.json', () => {});
    await rm(join(linked, 'weights.bin'));
    await symlink(join(good, 'weights.bin'), join(linked, 'weights.bin'));
    await refused(linked, /path 'weights\.bin' is a link to .*\/good\/weights\.bin, outside the model directory; refused$/);
  });

  it('a weights file larger or smaller than model.json declares: refused, the larger before it is read', async () => {
    const declared = (await readFile(join(good, 'weights.bin'))).length;
    const larger = await tampered('model.json', () => {});
    await writeFile(join(larger, 'weights.bin'), new Uint8Array(declared + 4));
    await refused(larger, new RegExp(`weights\\.bin: holds ${declared + 4} bytes; at most ${declared} expected$`));
    const smaller = await tampered('model.json', () => {});
    await truncate(join(smaller, 'weights.bin'), declared - 4);
    await refused(smaller, new RegExp(`weights\\.bin: holds ${declared - 4} bytes; model\\.json declares ${declared}$`));
  });

  it('/dev/zero (linked or named), a FIFO, an 11 GB sparse file as weights: a typed error within seconds, in a child process', async () => {
    const linked = await tampered('model.json', () => {});
    await rm(join(linked, 'weights.bin'));
    await symlink('/dev/zero', join(linked, 'weights.bin'));
    const named = await tampered('model.json', weightPath('/dev/zero'));
    const fifo = await tampered('model.json', () => {});
    await rm(join(fifo, 'weights.bin'));
    await new Promise((resolve, reject) => execFile('mkfifo', [join(fifo, 'weights.bin')], (e) => (e ? reject(e) : resolve(null))));
    const huge = await tampered('model.json', () => {});
    await truncate(join(huge, 'weights.bin'), 11 * 2 ** 30);
    const { lines } = await child(['load', linked, named, fifo, huge], { timeout: 60_000 });
    expect(lines.map((l) => [l.name, l.message?.replace(root, '')])).toEqual([
      ['ModelFileError', expect.stringMatching(/model\.json: path 'weights\.bin' is a link to \/dev\/zero, outside the model directory; refused$/)],
      ['ModelFileError', expect.stringMatching(/model\.json: path '\/dev\/zero' leaves the model directory; refused$/)],
      ['ModelFileError', expect.stringMatching(/weights\.bin: is not a regular file \(a device, FIFO or socket\); refused$/)],
      ['ModelFileError', expect.stringMatching(/weights\.bin: holds 11811160064 bytes; at most \d+ expected$/)],
    ]);
  });

  it('a mobilenets.json that contradicts model.json (architecture, class count, input size): refused', async () => {
    await refused(await tampered('mobilenets.json', (j) => (j.name = 'mobilenetv2_100')), /mobilenets\.json: says name "mobilenetv2_100", model\.json says "mobilenetv3_small_075"; the two files are of different models$/);
    await refused(await tampered('mobilenets.json', (j) => (j.options.numClasses = 10)), /mobilenets\.json: says numClasses 10, model\.json says 3/);
    await refused(await tampered('mobilenets.json', (j) => (j.options.inputSize = 64)), /mobilenets\.json: says inputSize 64, model\.json says 32/);
    // Without the recipe in model.json, the built model itself is compared (and disposed).
    const bare = await tampered('model.json', (j) => delete j.userDefinedMetadata);
    const json = JSON.parse(await readFile(join(bare, 'mobilenets.json'), 'utf8'));
    await writeFile(join(bare, 'mobilenets.json'), JSON.stringify({ ...json, options: { ...json.options, numClasses: 10 } }));
    await refused(bare, /mobilenets\.json: says numClasses 10; model\.json's output is \[,3\]$/);
  });

  it('an unknown format version, a null or malformed mobilenets.json: refused, naming the field', async () => {
    await refused(await tampered('mobilenets.json', (j) => (j.formatVersion = 2)), /mobilenets\.json: has format version 2; this version reads 1$/);
    await refused(await tampered('mobilenets.json', (j) => delete j.formatVersion), /has format version missing; this version reads 1$/);
    await refused(await tampered('mobilenets.json', (j) => (j.preprocessing.std = [0.2, 0, 0.2])), /preprocessing\.std is \[0\.2,0,0\.2\]; expected three positive numbers$/);
    await refused(await tampered('mobilenets.json', (j) => (j.labels = ['cat'])), /has 1 labels for 3 classes$/);
    const nulled = await tampered('mobilenets.json', () => {});
    await writeFile(join(nulled, 'mobilenets.json'), 'null');
    await refused(nulled, /mobilenets\.json: is null, not an object$/);
  });
});

describe('the default preprocessing comes from the architecture spec, not the name', () => {
  it('a CIFAR spec under a name without "cifar" gets CIFAR-10 statistics; an ImageNet spec under a "cifar" name gets ImageNet ones', async () => {
    registerModel('seed000_v1', { ...mobilenetV1Cifar() });
    registerModel('mobilenetv1_cifar_imagenet_stats', { ...mobilenetV1Cifar(), preprocessing: IMAGENET_RESIZE_256 });
    registerModel('tiny_v1_cifar_stats', { ...mobilenetV1(0.25), preprocessing: CIFAR10 });
    const dir = await folder();
    const saved = async (name: string, inputSize?: number) => {
      const model = createModel(name, { inputSize });
      const { preprocessing } = await saveModel(model, join(dir, name));
      model.dispose();
      return preprocessing;
    };
    const cifar = { resize: 32, crop: 32, mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] };
    expect(await saved('seed000_v1')).toMatchObject(cifar);
    expect(await saved('tiny_v1_cifar_stats', 32)).toMatchObject(cifar);
    expect(await saved('mobilenetv1_cifar_imagenet_stats')).toMatchObject({ resize: 37, crop: 32, mean: [0.485, 0.456, 0.406] });
  });

  it("torchvision's presets: V2 and V3-Large resize 232, V3-Small 256 at crop 224, scaled with the input size", async () => {
    const dir = await folder();
    const preprocessing = async (name: string, inputSize: number) => {
      const model = createModel(name, { inputSize });
      const metadata = await saveModel(model, join(dir, `${name}_${inputSize}`));
      model.dispose();
      return [metadata.preprocessing.resize, metadata.preprocessing.crop];
    };
    expect(await preprocessing('mobilenetv2_035', 224)).toEqual([232, 224]);
    expect(await preprocessing('mobilenetv3_large_075', 224)).toEqual([232, 224]);
    expect(await preprocessing('mobilenetv3_small_075', 224)).toEqual([256, 224]);
    expect(await preprocessing('mobilenetv3_small_075', 160)).toEqual([183, 160]);
  });
});
