import { nonEmptyString, positiveInteger, type Rules } from './options.js';

/**
 * The most pixels an image may declare before it is decoded: PIL's `Image.MAX_IMAGE_PIXELS`. PIL warns above it
 * and refuses at twice as many; here it is the refusal, since such an image is over 1 GB as an int32 tensor.
 */
export const MAX_PIXELS = 89_478_485;

export interface DecodeOptions {
  /** Refuse, before decoding, an image declaring more pixels than this (default MAX_PIXELS). */
  maxPixels?: number;
  /** What errors call the image (their `file`): default the path, or `<buffer>` for bytes. */
  name?: string;
}

export const DECODE_RULES: Rules<DecodeOptions> = { maxPixels: positiveInteger, name: nonEmptyString };
