import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import type { Metadata, Sharp } from 'sharp';
import { DECODE_RULES, type DecodeOptions, MAX_PIXELS } from '../decode-options.js';
import { DecodeError, ImageTooLargeError, MissingPackageError } from '../errors.js';
import { gifTransparentColour, pngColourType } from './file-headers.js';
import { checkOptions, checkValue, rule } from '../options.js';
import { cmykToRgb, grey16ToRgb, rgbaToRgb } from '../to-rgb.js';

export { type DecodeOptions, MAX_PIXELS } from '../decode-options.js';

/** The PNG colour type of grey + alpha. */
const GREY_ALPHA = 4;

/** The formats both PIL and sharp read. */
const FORMATS: readonly string[] = ['jpeg', 'png', 'webp', 'tiff', 'gif'];
/** The pixel layouts (sharp's sample depth and colour space) read. */
const LAYOUTS: readonly string[] = ['uchar srgb', 'uchar b-w', 'uchar cmyk', 'ushort rgb16', 'ushort grey16'];

/** An image file: its path, or its bytes (a Buffer or Uint8Array: a file read or received, an upload). */
export type ImageFile = string | Uint8Array;

const IMAGE_FILE = rule('a path or the bytes of an image file (a Buffer or Uint8Array)', (v) => typeof v === 'string' || v instanceof Uint8Array);

interface Raw {
  rgb: Int32Array;
  width: number;
  height: number;
}

type SharpFactory = typeof import('sharp').default;

/** A plain string: bundlers leave this Node-only optional package alone. */
const SHARP: string = 'sharp';
let loading: Promise<SharpFactory> | undefined;

/** sharp (libvips), imported on the first decode: an optional peer, needed only to read image files. */
function loadSharp(): Promise<SharpFactory> {
  loading ??= import(SHARP).then(
    (mod: { default: SharpFactory }) => mod.default,
    (err: unknown) => {
      loading = undefined;
      throw new MissingPackageError('sharp', 'decoding image files', { cause: err });
    },
  );
  return loading;
}

/** The stored values as PIL's `Image.open(f).convert('RGB')` gives them, whichever layout the file has. */
async function decodeRgb(sharp: SharpFactory, file: ImageFile, header: Metadata, maxPixels: number): Promise<Raw> {
  // The embedded ICC profile is ignored, as PIL does; EXIF orientation too (sharp applies it only if asked).
  const input = sharp(file, { failOn: 'truncated', ignoreIcc: true, limitInputPixels: maxPixels });
  const raw = async (pipeline: Sharp, depth: 'uchar' | 'ushort' = 'uchar') => {
    const { data, info } = await pipeline.raw({ depth }).toBuffer({ resolveWithObject: true });
    return { data, channels: info.channels, width: info.width, height: info.height };
  };
  if (header.space === 'cmyk') {
    const { data, channels, width, height } = await raw(input.pipelineColourspace('cmyk').toColourspace('cmyk'));
    return { rgb: cmykToRgb(data, channels), width, height };
  }
  // 16-bit grey, transparent colour or not, is clipped by PIL; a PNG's grey + alpha keeps the high byte below.
  if (header.space === 'grey16' && !(header.format === 'png' && (await pngColourType(file)) === GREY_ALPHA)) {
    const { data, channels, width, height } = await raw(input.toColourspace('grey16'), 'ushort');
    return { rgb: grey16ToRgb(new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2), channels), width, height };
  }
  if (header.format === 'gif' && header.hasAlpha) {
    const { data, width, height } = await raw(input.ensureAlpha().toColourspace('srgb'));
    const gif = typeof file === 'string' ? await readFile(file) : file;
    return { rgb: rgbaToRgb(data, gifTransparentColour(gif) ?? [0, 0, 0]), width, height };
  }
  // 8-bit RGB, grey and palette images come out as PIL's; 16-bit colour keeps its high byte, as PIL does.
  const { data, width, height } = await raw(input.removeAlpha().toColourspace('srgb'));
  return { rgb: Int32Array.from(data), width, height };
}

/** Wraps what sharp throws into a DecodeError naming the image (the cause kept). */
async function attempt<T>(name: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof DecodeError) throw err;
    throw new DecodeError(name, `cannot be decoded as an image (${(err as Error).message.split('\n')[0]})`, { cause: err });
  }
}

/**
 * Decodes an image file (JPEG, PNG, WebP, TIFF, GIF), given by its path or its bytes, to an [H, W, 3] int32
 * tensor of 0–255: the values PIL's `Image.open(f).convert('RGB')` gives, which torchvision and timm train on.
 * Embedded ICC profiles and EXIF orientation are ignored, 16-bit grey is clipped to 255, CMYK converted by PIL's
 * formula, alpha dropped. The header is read first: an image of more than `maxPixels` pixels is an
 * ImageTooLargeError, never decoded. Any other failure is a DecodeError naming the file (`name`, the path, or
 * `<buffer>`).
 */
export async function decodeImage(file: ImageFile, options: DecodeOptions = {}): Promise<tf.Tensor3D> {
  checkValue('decodeImage', 'file', file, IMAGE_FILE);
  checkOptions('decodeImage', options, DECODE_RULES);
  const maxPixels = options.maxPixels ?? MAX_PIXELS;
  const name = options.name ?? (typeof file === 'string' ? file : '<buffer>');
  const sharp = await loadSharp();
  const header = await attempt(name, () => sharp(file).metadata());
  if (!FORMATS.includes(header.format)) {
    throw new DecodeError(name, `is ${header.format}; the decoder reads JPEG, PNG, WebP, TIFF and GIF (what PIL and sharp both read)`);
  }
  if (!LAYOUTS.includes(`${header.depth} ${header.space}`)) {
    throw new DecodeError(name, `holds ${header.depth} ${header.space} pixels; the decoder reads 8-bit RGB, grey, palette and CMYK, 16-bit RGB and grey`);
  }
  if (header.width * header.height > maxPixels) throw new ImageTooLargeError(name, header.width, header.height, maxPixels);
  const { rgb, width, height } = await attempt(name, () => decodeRgb(sharp, file, header, maxPixels));
  return tf.tensor3d(rgb, [height, width, 3], 'int32');
}
