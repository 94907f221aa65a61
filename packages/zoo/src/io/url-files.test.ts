import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seeded, useBackend } from '@mobilenets/ops/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelFileError } from '../errors.js';
import { createModel } from '../registry.js';
import { loadModel, saveModel } from './node/model-dir.js';

/** A model directory served over http from 127.0.0.1 (`/dir/<file>`), with what each request asked for. */
let root: string;
let server: Server;
let base: string;
const requests: string[] = [];
let lying: Record<string, number> = {};

beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'mobilenets-url-'));
  server = createServer(async (req, res) => {
    requests.push(req.url!);
    const file = join(root, decodeURIComponent(req.url!));
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return void res.writeHead(404).end();
    const name = req.url!.split('/').at(-1)!;
    res.writeHead(200, lying[name] === undefined ? { 'Content-Length': info.size } : {});
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
});
let tensors: number;
beforeEach(() => {
  tensors = tf.memory().numTensors;
  requests.length = 0;
  lying = {};
});
afterEach(() => {
  expect(tf.memory().numTensors, 'tensors left behind').toBe(tensors);
});

async function saved(dir: string): Promise<number[]> {
  const model = createModel('mobilenetv3_small_075', { numClasses: 3, inputSize: 32, widthMultiplier: 0.5 });
  await saveModel(model, join(root, dir), { labels: ['a', 'b', 'c'] });
  const x = seeded([1, 32, 32, 3], 7);
  const y = model.predict(x) as tf.Tensor;
  const logits = Array.from(await y.data());
  tf.dispose([x, y]);
  model.dispose();
  return logits;
}

describe('loadModel from an http URL', () => {
  it('fetches the directory (with or without a trailing slash) and gives the saved model', async () => {
    const expected = await saved('m');
    for (const url of [`${base}/m`, new URL(`${base}/m/`)]) {
      const { model, metadata } = await loadModel(url);
      const x = seeded([1, 32, 32, 3], 7);
      const y = model.predict(x) as tf.Tensor;
      expect(Array.from(await y.data())).toEqual(expected);
      expect(metadata.labels).toEqual(['a', 'b', 'c']);
      tf.dispose([x, y]);
      model.dispose();
    }
    expect(requests.slice(0, 3).sort()).toEqual(['/m/mobilenets.json', '/m/model.json', '/m/weights.bin']);
  });

  it("a weight path out of the directory is refused before it is fetched", async () => {
    await saved('escape');
    const modelJson = join(root, 'escape', 'model.json');
    const json = JSON.parse(await readFile(modelJson, 'utf8'));
    json.weightsManifest[0].paths = ['../m/weights.bin'];
    await writeFile(modelJson, JSON.stringify(json));
    const err = await loadModel(`${base}/escape/`).then(() => undefined, (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(ModelFileError);
    expect(err!.message).toBe(`${base}/escape/model.json: path '../m/weights.bin' leaves the model directory; refused`);
    expect(requests).not.toContain('/m/weights.bin');
  });

  it('a weight file longer than model.json declares (no Content-Length sent) is refused as it streams', async () => {
    await saved('long');
    const weights = join(root, 'long', 'weights.bin');
    await writeFile(weights, Buffer.concat([await readFile(weights), Buffer.alloc(1024)]));
    lying['weights.bin'] = 1;
    await expect(loadModel(`${base}/long`)).rejects.toThrow(/weights\.bin: holds more than \d+ bytes; at most \d+ expected/);
  });

  it('a missing file: a ModelFileError with the HTTP status', async () => {
    await expect(loadModel(`${base}/nothing-here/`)).rejects.toThrow(`${base}/nothing-here/mobilenets.json: cannot fetch it (HTTP 404 Not Found)`);
  });
});
