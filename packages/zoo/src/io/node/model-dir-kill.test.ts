import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { seeded, useBackend } from '@mobilenets/ops/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { child } from '../../__fixtures__/node/run-child.js';
import { loadModel, saveModel } from './model-dir.js';

let root: string;
beforeAll(async () => {
  await useBackend('cpu'); // the child's backend: the same logits to the bit
  root = await mkdtemp(join(tmpdir(), 'mobilenets-kill-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** Loads the directory; its logits on the child's input, leaving no tensor behind. */
async function loadedLogits(dir: string): Promise<number[]> {
  const { model } = await loadModel(dir);
  const x = seeded([1, 32, 32, 3], 7);
  const y = model.predict(x) as tf.Tensor;
  const values = Array.from(await y.data());
  tf.dispose([x, y]);
  model.dispose();
  return values;
}

/** What lies in the parent after a kill at each step, the target's leftovers by kind. */
const LEFT = {
  written: ['.lock', '.tmp', 'model'], // the new version complete in its temporary sibling
  aside: ['.lock', '.old', '.tmp'], // the target renamed aside: absent until the new one is renamed in
  swapped: ['.lock', '.old', 'model'], // the new version in place, the old one not yet removed
};
const STEPS = Object.keys(LEFT) as (keyof typeof LEFT)[];
/** 20 kills: at each step of the swap, in the 2nd or 3rd save (the 1st has no old version to set aside). */
const KILLS = Array.from({ length: 20 }, (_, i) => ({ i, step: STEPS[i % 3]!, save: 2 + (Math.floor(i / 3) % 2) }));

describe('saveModel killed with SIGKILL at each step of its swap (20 kills)', () => {
  it.each(KILLS)('kill $i, at "$step" in save $save: loadModel gives the old or the new model, whole; the next save cleans up', async ({ i, step, save }) => {
    const before = tf.memory().numTensors;
    const target = join(root, String(i), 'model');
    const nth = step === 'written' ? save : save - 1;
    const { lines, signal } = await child(['save', target, '3'], { env: { MOBILENETS_TEST_KILL_AT: `${step}:${nth}` } });
    expect(signal).toBe('SIGKILL');
    const printed = lines.map((l) => l.logits!);
    expect(printed).toHaveLength(save); // the logits of every version it began to save
    const left = (await readdir(dirname(target))).map((name) => name.replace(/^\.model(\.[a-z]+).*/, '$1')).sort();
    expect(left).toEqual(LEFT[step]);
    expect(existsSync(target)).toBe(step !== 'aside');

    const expected = printed[step === 'swapped' ? save - 1 : save - 2]!;
    const other = printed[step === 'swapped' ? save - 2 : save - 1]!;
    const loaded = await loadedLogits(target);
    expect(loaded).toEqual(expected);
    expect(loaded).not.toEqual(other);

    const { model } = await loadModel(target);
    await saveModel(model, target);
    model.dispose();
    expect(await readdir(dirname(target))).toEqual(['model']);
    expect(await loadedLogits(target)).toEqual(expected);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a reader while another process saves again and again always loads a whole model, old or new', async () => {
    const before = tf.memory().numTensors;
    const target = join(root, 'busy', 'model');
    await child(['save', target, '1']);
    let done = false;
    const saving = child(['save', target, '8']).finally(() => {
      done = true;
    });
    const seen: number[][] = [];
    while (!done) seen.push(await loadedLogits(target));
    const versions = (await saving).lines.map((l) => l.logits);
    expect(seen.length).toBeGreaterThan(0);
    for (const logits of seen) expect(versions).toContainEqual(logits);
    expect(tf.memory().numTensors).toBe(before);
  });
});
