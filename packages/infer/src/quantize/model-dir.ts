import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelFileError } from '@mobilenets/zoo';
import type * as tf from '@tensorflow/tfjs-core';
import { writeDirAtomically } from '../model/zoo-gaps.js';
import { type Quantization, quantizeUint8, toFloat16 } from './codecs.js';

export interface QuantizeResult {
  /** Weight bytes before and after. */
  bytesBefore: number;
  bytesAfter: number;
  /** Weights stored quantized (the kernels); the rest (BatchNorm, biases) stay float32. */
  quantized: number;
  total: number;
}

/**
 * A copy of a float32 model directory whose convolution and dense kernels tfjs stores as float16, or as uint8 with
 * one scale and minimum per tensor (the quantization tfjs' own model format describes, dequantized on load);
 * BatchNorm parameters and biases stay float32. `mobilenets.json` is copied as it is. Written to a temporary
 * sibling and swapped into place; an existing `out` is replaced only if it is a model directory.
 */
export async function quantizeModelDir(dir: string, out: string, quantization: Quantization): Promise<QuantizeResult> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  if (specs.some((s) => s.quantization || s.dtype !== 'float32')) throw new ModelFileError(dir, 'its weights are already quantized; quantize the float32 model');
  const data = Buffer.concat(await Promise.all(json.weightsManifest.flatMap((g) => g.paths).map((p) => readFile(join(dir, p)))));
  const parts: Uint8Array[] = [];
  let offset = 0;
  let quantized = 0;
  const weights = specs.map((spec): tf.io.WeightsManifestEntry => {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(data.buffer.slice(data.byteOffset + offset, data.byteOffset + offset + count * 4));
    offset += count * 4;
    if (spec.shape.length < 2) {
      parts.push(new Uint8Array(values.buffer));
      return spec;
    }
    quantized++;
    if (quantization === 'float16') {
      parts.push(new Uint8Array(toFloat16(values).buffer));
      return { ...spec, quantization: { dtype: 'float16' } };
    }
    const q = quantizeUint8(values, 1);
    parts.push(q.values);
    const scale = q.scale[0]!;
    return { ...spec, quantization: { dtype: 'uint8', scale, min: Math.fround(-q.zeroPoint[0]! * scale) } };
  });
  if (offset !== data.length) throw new ModelFileError(dir, `holds ${data.length} weight bytes; model.json describes ${offset}`);
  if (await stat(out).then(() => true, () => false)) {
    const isModel = await stat(join(out, 'mobilenets.json')).then(() => true, () => false);
    if (!isModel) throw new ModelFileError(out, 'exists and is not a model directory; choose another output');
  }
  const weightData = Buffer.concat(parts);
  await writeDirAtomically(out, async (tmp) => {
    await writeFile(join(tmp, 'model.json'), JSON.stringify({ ...json, weightsManifest: [{ paths: ['weights.bin'], weights }] }));
    await writeFile(join(tmp, 'weights.bin'), weightData);
    await copyFile(join(dir, 'mobilenets.json'), join(tmp, 'mobilenets.json'));
  });
  return { bytesBefore: data.length, bytesAfter: weightData.length, quantized, total: specs.length };
}
