import * as tf from '@tensorflow/tfjs-core';
import sharp, { type OutputInfo } from 'sharp';
import { DecodeError } from './errors.js';

/**
 * Decodes an image file (JPEG, PNG, WebP, …) to an [H, W, 3] int32 tensor of 0–255 RGB: grayscale and
 * palette images are expanded, alpha is dropped. Any decoder failure becomes a DecodeError naming the file.
 */
export async function decodeImage(file: string): Promise<tf.Tensor3D> {
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(file, { failOn: 'truncated' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new DecodeError(file, `cannot be decoded as an image (${(err as Error).message.split('\n')[0]})`);
  }
  const { data, info } = decoded;
  if (info.channels !== 3) throw new DecodeError(file, `decoded to ${info.channels} channels, expected 3`);
  return tf.tensor3d(Int32Array.from(data), [info.height, info.width, 3], 'int32');
}
