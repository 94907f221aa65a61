import * as tf from '@tensorflow/tfjs-core';
import { describeArgument } from '@mobilenets/ops';
import { ACTIVATIONS } from './activation.js';
import type { Activation, NormConfig } from './config.js';
import { BlockConfigError, BlockInputError } from './errors.js';

/** Field checks shared by the blocks; each throws a `BlockConfigError` naming the block and the field. */
export class Check {
  constructor(private readonly blockType: string) {}

  fail(field: string, message: string): never {
    throw new BlockConfigError(this.blockType, field, message);
  }

  positiveInt(field: string, value: unknown): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) this.fail(field, `must be a positive integer, got ${String(value)}`);
    return value;
  }

  stride(value: unknown): 1 | 2 {
    if (value !== 1 && value !== 2) this.fail('stride', `must be 1 or 2, got ${String(value)}`);
    return value;
  }

  oddKernel(value: unknown): number {
    const k = this.positiveInt('kernel', value);
    if (k % 2 === 0) this.fail('kernel', `must be odd (padding is kernel >> 1), got ${k}`);
    return k;
  }

  /** 0 (no such convolution) or an odd kernel. */
  optionalKernel(field: string, value: unknown): number {
    if (value === 0) return 0;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value % 2 === 0) {
      this.fail(field, `must be 0 (none) or an odd positive integer, got ${String(value)}`);
    }
    return value;
  }

  positive(field: string, value: unknown): number {
    if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) this.fail(field, `must be positive, got ${String(value)}`);
    return value;
  }

  /** LayerScale's initial γ, or null for none. */
  layerScale(value: unknown): number | null {
    return value === null || value === undefined ? null : this.positive('layerScale', value);
  }

  activation(value: unknown): Activation {
    if (!ACTIVATIONS.includes(value as Activation)) this.fail('activation', `must be one of ${ACTIVATIONS.join(', ')}, got ${String(value)}`);
    return value as Activation;
  }

  norm(value: NormConfig): NormConfig {
    if (!(value.epsilon > 0)) this.fail('norm.epsilon', `must be positive, got ${value.epsilon}`);
    if (!(value.momentum >= 0 && value.momentum <= 1)) this.fail('norm.momentum', `must be in [0, 1], got ${value.momentum}`);
    return { epsilon: value.epsilon, momentum: value.momentum };
  }
}

const expectedInput = (channels: number) => `a float32 NHWC tensor [batch, height, width, ${channels}]`;

/**
 * What every block takes: a live float32 NHWC tensor with `channels` channels and no empty axis. Checked before
 * any kernel runs: wasm kernels given another rank read out of bounds, and other dtypes reach tfjs' own messages.
 */
export function checkBlockInput(layer: string, channels: number, x: unknown): asserts x is tf.Tensor4D {
  const ok = x instanceof tf.Tensor && !x.isDisposed && x.dtype === 'float32' && x.rank === 4 && x.shape[3] === channels && x.size > 0;
  if (!ok) throw new BlockInputError(layer, expectedInput(channels), describeArgument(x));
}

/** The same for a shape alone (`build`, symbolic inputs), whose batch and sizes may be unknown (null). */
export function checkBlockInputShape(layer: string, channels: number, shape: unknown): void {
  const dims = Array.isArray(shape) ? (shape as unknown[]) : [];
  if (dims.length !== 4 || dims[3] !== channels || dims.some((d) => d !== null && !(typeof d === 'number' && d >= 1))) {
    throw new BlockInputError(layer, expectedInput(channels), Array.isArray(shape) ? `shape [${dims.map(String).join(', ')}]` : describeArgument(shape));
  }
}
