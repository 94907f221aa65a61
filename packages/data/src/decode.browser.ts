import * as tf from '@tensorflow/tfjs-core';
import { DECODE_RULES, type DecodeOptions, MAX_PIXELS } from './decode-options.js';
import { DecodeError, ImageTooLargeError } from './errors.js';
import { checkOptions } from './options.js';

export { type DecodeOptions, MAX_PIXELS } from './decode-options.js';

/**
 * What a page decodes: the bytes of an image file (a `File` or other `Blob`, a Uint8Array) or its URL, or
 * pixels the page already has (an `<img>`, an `ImageBitmap`, `ImageData`, a canvas, a `<video>` or a `VideoFrame`).
 */
export type ImageSource =
  | string
  | URL
  | Uint8Array
  | Blob
  | ImageBitmap
  | ImageData
  | HTMLImageElement
  | HTMLCanvasElement
  | OffscreenCanvas
  | HTMLVideoElement
  | VideoFrame;

/** Where a drawable's pixel size is, by kind: `<img>` and `<video>` have their intrinsic size elsewhere. */
function sizeOf(source: Exclude<ImageSource, string | URL | Uint8Array | Blob>): [width: number, height: number] {
  if (typeof HTMLImageElement !== 'undefined' && source instanceof HTMLImageElement) return [source.naturalWidth, source.naturalHeight];
  if (typeof HTMLVideoElement !== 'undefined' && source instanceof HTMLVideoElement) return [source.videoWidth, source.videoHeight];
  if (typeof VideoFrame !== 'undefined' && source instanceof VideoFrame) return [source.displayWidth, source.displayHeight];
  const { width, height } = source as ImageBitmap | ImageData | HTMLCanvasElement | OffscreenCanvas;
  return [width, height];
}

function describe(source: ImageSource): string {
  if (typeof File !== 'undefined' && source instanceof File) return source.name;
  if (typeof source === 'string' || source instanceof URL) return String(source);
  return `<${source.constructor?.name ?? typeof source}>`;
}

/** A file's bytes as a bitmap: the browser's decoder (JPEG, PNG, WebP, GIF, AVIF, BMP…). */
async function bitmapOf(name: string, source: string | URL | Uint8Array | Blob): Promise<ImageBitmap> {
  let blob: Blob;
  if (source instanceof Blob) blob = source;
  else if (source instanceof Uint8Array) blob = new Blob([source as Uint8Array<ArrayBuffer>]);
  else {
    const response = await fetch(source).catch((err: unknown) => {
      throw new DecodeError(name, `cannot be fetched (${(err as Error).message})`, { cause: err });
    });
    if (!response.ok) throw new DecodeError(name, `cannot be fetched (HTTP ${response.status})`);
    blob = await response.blob();
  }
  try {
    return await createImageBitmap(blob);
  } catch (err) {
    throw new DecodeError(name, `cannot be decoded as an image (${(err as Error).message})`, { cause: err });
  }
}

/**
 * Decodes an image in a page to an [H, W, 3] int32 tensor of 0–255 (the contract's raw decoder output: RGB,
 * alpha dropped). Files go through the browser's own decoder; pixels already in the page are drawn on a canvas
 * and read back. An image of more than `maxPixels` pixels is an ImageTooLargeError, a file the browser cannot
 * decode a DecodeError naming it (`name`, a `File`'s name, the URL or the kind of source).
 */
export async function decodeImage(source: ImageSource, options: DecodeOptions = {}): Promise<tf.Tensor3D> {
  checkOptions('decodeImage', options, DECODE_RULES);
  const maxPixels = options.maxPixels ?? MAX_PIXELS;
  const name = options.name ?? describe(source);
  const isFile = typeof source === 'string' || source instanceof URL || source instanceof Uint8Array || source instanceof Blob;
  const drawable = isFile ? await bitmapOf(name, source) : source;
  try {
    if (typeof HTMLImageElement !== 'undefined' && drawable instanceof HTMLImageElement) {
      await drawable.decode().catch((err: unknown) => {
        throw new DecodeError(name, `cannot be decoded as an image (${(err as Error).message})`, { cause: err });
      });
    }
    const [width, height] = sizeOf(drawable);
    if (width === 0 || height === 0) throw new DecodeError(name, `has no pixels yet (${width}×${height}); wait until it has loaded`);
    if (width * height > maxPixels) throw new ImageTooLargeError(name, width, height, maxPixels);
    return tf.tensor3d(dropAlpha(rgbaOf(drawable, width, height)), [height, width, 3], 'int32');
  } finally {
    if (isFile) (drawable as ImageBitmap).close();
  }
}

/** The RGBA bytes of a drawable, drawn 1:1 on a canvas in sRGB. */
function rgbaOf(source: Exclude<ImageSource, string | URL | Uint8Array | Blob>, width: number, height: number): Uint8ClampedArray {
  if (source instanceof ImageData) return source.data;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true, colorSpace: 'srgb' });
  if (!context) throw new DecodeError(describe(source), 'cannot be read: no 2d canvas context in this page');
  context.drawImage(source, 0, 0, width, height);
  return context.getImageData(0, 0, width, height).data;
}

function dropAlpha(rgba: Uint8ClampedArray): Int32Array {
  const pixels = rgba.length / 4;
  const rgb = new Int32Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    rgb[3 * p] = rgba[4 * p]!;
    rgb[3 * p + 1] = rgba[4 * p + 1]!;
    rgb[3 * p + 2] = rgba[4 * p + 2]!;
  }
  return rgb;
}
