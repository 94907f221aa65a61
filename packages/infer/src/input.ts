import { decodeImage } from '@mobilenets/data';
import * as tf from '@tensorflow/tfjs-core';
import { ImageInputError } from './errors.js';
import type { Rgb8 } from './preprocess/resample.js';

/** Raw pixels, row-major: RGB (3 bytes a pixel), RGBA such as a canvas' `ImageData` (alpha dropped) or grey (1). */
export interface PixelData {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/** What a page has an image as (a Blob or File is decoded from its bytes, in Node too). */
export type PageImage = Blob | ImageBitmap | HTMLImageElement | HTMLCanvasElement | OffscreenCanvas | HTMLVideoElement | VideoFrame;

/**
 * One image: a file path (in a page, a URL), the bytes of an image file (a Buffer), raw pixels (`ImageData` too),
 * a tensor of 0–255 pixel values (HWC, or NHWC for several images, 1 or 3 channels, as `decodeImage` returns), or
 * in a page a `File`, `<img>`, `ImageBitmap`, canvas or video frame.
 */
export type ImageInput = string | Uint8Array | PixelData | tf.Tensor | PageImage;

/** One image to read, with the name its result and its errors carry. */
export interface ImageSource {
  /** The path, for a file input. */
  file?: string;
  /** What errors call it: the path, or `Buffer #i`, `pixels #i`, `tensor #i`. */
  name: string;
  read(): Promise<Rgb8>;
}

/** Tensor or typed-array values as 8-bit RGB (grey repeated, alpha dropped, values rounded and clamped to 0–255). */
function toRgb8(values: ArrayLike<number>, width: number, height: number, channels: number): Rgb8 {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, o = 0; o < data.length; i += channels, o += 3) {
    for (let c = 0; c < 3; c++) data[o + c] = Math.min(255, Math.max(0, Math.round(values[channels === 1 ? i : i + c]!)));
  }
  return { data, width, height };
}

/**
 * Decodes an image file, from its path or its bytes, through `@mobilenets/data`'s decoder (PIL's values; its
 * DecodeError names the file, or `name` for bytes).
 */
export async function decodeFile(file: string | Uint8Array | PageImage, name?: string): Promise<Rgb8> {
  // A page image reaches the browser entry of @mobilenets/data, whose decodeImage takes it.
  const image = await decodeImage(file as string, name === undefined ? {} : { name });
  try {
    const [height, width] = image.shape;
    return { data: Uint8Array.from(await image.data()), width, height };
  } finally {
    image.dispose();
  }
}

function pixels(p: PixelData, name: string): Rgb8 {
  const { data, width, height } = p;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ImageInputError(name, `width and height must be positive integers, got ${width}×${height}`);
  }
  const channels = data.length / (width * height);
  if (![1, 3, 4].includes(channels)) {
    throw new ImageInputError(name, `${data.length} bytes for ${width}×${height} pixels: expected 1, 3 or 4 bytes a pixel`);
  }
  return toRgb8(data, width, height, channels);
}

function tensorSources(t: tf.Tensor, index: number): ImageSource[] {
  const name = `tensor #${index}`;
  if (t.rank !== 3 && t.rank !== 4) throw new ImageInputError(name, `has shape [${t.shape.join(', ')}]; expected [height, width, channels] or [n, height, width, channels]`);
  const [n, height, width, channels] = (t.rank === 3 ? [1, ...t.shape] : t.shape) as number[];
  if (channels !== 1 && channels !== 3) throw new ImageInputError(name, `has ${channels} channels; expected 1 or 3`);
  // Read once, lazily, whoever asks first: the caller keeps ownership of the tensor.
  let values: Promise<ArrayLike<number>> | undefined;
  const size = height! * width! * channels;
  return Array.from({ length: n! }, (_, i) => ({
    name: t.rank === 3 ? name : `${name}[${i}]`,
    async read() {
      values ??= t.data();
      const all = await values;
      return toRgb8((all as Float32Array).subarray(i * size, (i + 1) * size), width!, height!, channels);
    },
  }));
}

const PAGE_IMAGES = ['Blob', 'ImageBitmap', 'HTMLImageElement', 'HTMLCanvasElement', 'OffscreenCanvas', 'HTMLVideoElement', 'VideoFrame'] as const;

function isPageImage(x: unknown): x is PageImage {
  return PAGE_IMAGES.some((kind) => {
    const type = (globalThis as Record<string, unknown>)[kind];
    return typeof type === 'function' && x instanceof type;
  });
}

function isPixelData(x: unknown): x is PixelData {
  return typeof x === 'object' && x !== null && 'data' in x && 'width' in x && 'height' in x;
}

/** Every image of an input or a list of inputs, in order; nothing is read until asked for. */
export function imageSources(input: ImageInput | readonly ImageInput[]): ImageSource[] {
  const list = Array.isArray(input) ? (input as readonly ImageInput[]) : [input as ImageInput];
  return list.flatMap((item, i): ImageSource[] => {
    if (typeof item === 'string') return [{ file: item, name: item, read: () => decodeFile(item) }];
    if (item instanceof tf.Tensor) return tensorSources(item, i);
    if (item instanceof Uint8Array) return [{ name: `Buffer #${i}`, read: () => decodeFile(item, `Buffer #${i}`) }];
    if (isPixelData(item)) return [{ name: `pixels #${i}`, read: async () => pixels(item, `pixels #${i}`) }];
    if (isPageImage(item)) {
      const file = typeof File !== 'undefined' && item instanceof File ? item.name : undefined;
      const name = file ?? `${item.constructor.name} #${i}`;
      // A Blob's bytes go to the file decoder (Node has Blob and File too); the rest only exists in a page.
      const read = item instanceof Blob ? async () => decodeFile(new Uint8Array(await item.arrayBuffer()), name) : () => decodeFile(item, name);
      return [{ ...(file === undefined ? {} : { file }), name, read }];
    }
    throw new ImageInputError(`input #${i}`, 'is not a file path, a Buffer, a { data, width, height } pixel object, a tensor or an image of a page');
  });
}
