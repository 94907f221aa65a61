import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isModelDirectory, loadModel, modelArtifacts, writeDirectoryAtomic } from '@mobilenets/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { type Quantization, quantizeUint8, toFloat16 } from '../codecs.js';

export interface QuantizeResult {
  /** Weight bytes before and after. */
  bytesBefore: number;
  bytesAfter: number;
  /** Weights stored quantized (the kernels); the rest (BatchNorm, biases) stay float32. */
  quantized: number;
  total: number;
}

export interface QuantizeModelDirOptions {
  /** Replace whatever is at `out`. Without it only a model directory is replaced (as `saveModel`). */
  overwrite?: boolean;
}

/**
 * A copy of a model directory whose convolution and dense kernels tfjs stores as float16, or as uint8 with one
 * scale and minimum per tensor (the quantization tfjs' own model format describes, dequantized on load by the
 * zoo's `loadModel`); BatchNorm parameters and biases stay float32. The model is read by `loadModel` and
 * written by `writeDirectoryAtomic`: `out` appears whole or not at all, and an existing `out` is replaced only
 * if it is a model directory (or with `overwrite`).
 */
export async function quantizeModelDir(dir: string, out: string, quantization: Quantization, options: QuantizeModelDirOptions = {}): Promise<QuantizeResult> {
  const { model, metadata } = await loadModel(dir);
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = await modelArtifacts(model);
  } finally {
    model.dispose();
  }
  const data = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const specs = artifacts.weightSpecs ?? [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  let quantized = 0;
  const weights = specs.map((spec): tf.io.WeightsManifestEntry => {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(data.buffer, offset, count);
    offset += count * 4;
    if (spec.shape.length < 2) {
      parts.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
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
  const weightData = Buffer.concat(parts);
  const json = {
    modelTopology: artifacts.modelTopology,
    format: 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: null,
    weightsManifest: [{ paths: ['weights.bin'], weights }],
    userDefinedMetadata: artifacts.userDefinedMetadata,
  };
  await writeDirectoryAtomic(
    out,
    async (tmp) => {
      await writeFile(join(tmp, 'model.json'), JSON.stringify(json));
      await writeFile(join(tmp, 'weights.bin'), weightData);
      await writeFile(join(tmp, 'mobilenets.json'), `${JSON.stringify(metadata, null, 2)}\n`);
    },
    { overwrite: options.overwrite, isReplaceable: isModelDirectory },
  );
  return { bytesBefore: data.length, bytesAfter: weightData.length, quantized, total: specs.length };
}
