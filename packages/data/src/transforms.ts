import * as tf from '@tensorflow/tfjs-core';
import { checkValue, func, nonNegativeInteger, positiveInteger, probability, range, rule } from './options.js';
import { type Rng, randomInt } from './rng.js';

/**
 * A transform of one HWC image. Random ones draw from `rng` only, so a seed fixes them. A transform never
 * disposes its input; run it inside `tf.tidy` (datasets and the loader do).
 */
export type Transform = (image: tf.Tensor3D, rng: Rng) => tf.Tensor3D;

/** Applies transforms left to right (torchvision's Compose). */
export function compose(...transforms: Transform[]): Transform {
  for (const [i, t] of transforms.entries()) checkValue('compose', `transform ${i}`, t, func);
  return (image, rng) => transforms.reduce((x, t) => t(x, rng), image);
}

/** 0–255 values → float32 in [0, 1] (torchvision's ToTensor, HWC kept). */
export function toTensor(): Transform {
  return (x) => tf.div(tf.cast(x, 'float32'), 255);
}

/** (x − mean) / std per channel. */
export function normalize(mean: readonly number[], std: readonly number[]): Transform {
  checkValue('normalize', 'mean', mean, rule('an array of finite numbers, one per channel', (v) => Array.isArray(v) && v.length > 0 && v.every(Number.isFinite)));
  const perChannel = (v: unknown) => Array.isArray(v) && v.length === mean.length && v.every((s) => Number.isFinite(s) && s > 0);
  checkValue('normalize', 'std', std, rule(`an array of numbers > 0, one per channel (${mean.length}, as mean)`, perChannel));
  return (x) => {
    if (x.shape[2] !== mean.length) throw new RangeError(`normalize: ${mean.length} channel statistics for an image with ${x.shape[2]} channels`);
    return tf.div(tf.sub(tf.cast(x, 'float32'), tf.tensor1d([...mean])), tf.tensor1d([...std]));
  };
}

/** One grey channel copied to three (grayscale datasets into ImageNet-shaped models). */
export function grayscaleToRgb(): Transform {
  return (x) => (x.shape[2] === 1 ? tf.tile(x, [1, 1, 3]) : x);
}

/** Mirrors the image left–right with probability p. */
export function randomHorizontalFlip(p = 0.5): Transform {
  checkValue('randomHorizontalFlip', 'p', p, probability);
  return (x, rng) => (rng() < p ? tf.reverse(x, 1) : x);
}

function crop(x: tf.Tensor3D, top: number, left: number, height: number, width: number): tf.Tensor3D {
  return tf.slice(x, [top, left, 0], [height, width, x.shape[2]]);
}

/** A random size×size crop after `padding` zeros on every side (torchvision's RandomCrop; top drawn first). */
export function randomCrop(size: number, padding = 0): Transform {
  checkValue('randomCrop', 'size', size, positiveInteger);
  checkValue('randomCrop', 'padding', padding, nonNegativeInteger);
  return (x, rng) => {
    const padded = padding > 0 ? tf.pad(x, [[padding, padding], [padding, padding], [0, 0]]) : x;
    const [h, w] = padded.shape;
    if (h < size || w < size) throw new RangeError(`randomCrop: a ${size}×${size} crop of a ${h}×${w} image`);
    const top = randomInt(rng, 0, h - size + 1);
    const left = randomInt(rng, 0, w - size + 1);
    return crop(padded, top, left, size, size);
  };
}

/** Python's round(): halves to even, as torchvision's center crop offsets. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The central size×size crop (torchvision's CenterCrop offsets). */
export function centerCrop(size: number): Transform {
  checkValue('centerCrop', 'size', size, positiveInteger);
  return (x) => {
    const [h, w] = x.shape;
    if (h < size || w < size) throw new RangeError(`centerCrop: a ${size}×${size} crop of a ${h}×${w} image`);
    return crop(x, roundHalfEven((h - size) / 2), roundHalfEven((w - size) / 2), size, size);
  };
}

function resizeTo(x: tf.Tensor3D, height: number, width: number): tf.Tensor3D {
  if (x.shape[0] === height && x.shape[1] === width) return x;
  return tf.image.resizeBilinear(tf.cast(x, 'float32'), [height, width], false, true);
}

/** Shorter side to `size`, aspect kept (torchvision's Resize(int)); bilinear. Output is float32. */
export function resize(size: number): Transform {
  checkValue('resize', 'size', size, positiveInteger);
  return (x) => {
    const [h, w] = x.shape;
    return h <= w ? resizeTo(x, size, Math.floor((size * w) / h)) : resizeTo(x, Math.floor((size * h) / w), size);
  };
}

/**
 * A crop of random area (`scale` of the image) and aspect ratio (`ratio`, drawn log-uniformly) resized to
 * size×size: torchvision's RandomResizedCrop, including its ten tries and its center-crop fallback.
 */
export function randomResizedCrop(size: number, scale: [number, number] = [0.08, 1], ratio: [number, number] = [3 / 4, 4 / 3]): Transform {
  checkValue('randomResizedCrop', 'size', size, positiveInteger);
  checkValue('randomResizedCrop', 'scale', scale, range(0, 1));
  checkValue('randomResizedCrop', 'ratio', ratio, range(0));
  return (x, rng) => {
    const [h, w] = x.shape;
    const area = h * w;
    const [logLow, logHigh] = [Math.log(ratio[0]), Math.log(ratio[1])];
    for (let attempt = 0; attempt < 10; attempt++) {
      const target = area * (scale[0] + rng() * (scale[1] - scale[0]));
      const aspect = Math.exp(logLow + rng() * (logHigh - logLow));
      const cw = Math.round(Math.sqrt(target * aspect));
      const ch = Math.round(Math.sqrt(target / aspect));
      if (cw > 0 && ch > 0 && cw <= w && ch <= h) {
        const top = randomInt(rng, 0, h - ch + 1);
        const left = randomInt(rng, 0, w - cw + 1);
        return resizeTo(crop(x, top, left, ch, cw), size, size);
      }
    }
    const inRatio = w / h;
    const [cw, ch] =
      inRatio < ratio[0] ? [w, Math.round(w / ratio[0])] : inRatio > ratio[1] ? [Math.round(h * ratio[1]), h] : [w, h];
    return resizeTo(crop(x, Math.floor((h - ch) / 2), Math.floor((w - cw) / 2), ch, cw), size, size);
  };
}

/** ImageNet's and seed 000's CIFAR-10 channel statistics. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;
export const CIFAR10_MEAN = [0.4914, 0.4822, 0.4465] as const;
export const CIFAR10_STD = [0.2023, 0.1994, 0.201] as const;
