/**
 * PIL's `convert('RGB')` for the raw layouts sharp hands over that sharp itself would convert differently.
 * Each returns HWC RGB of 0–255 as an Int32Array (tfjs has no uint8 tensors).
 */

/** 16-bit grey (band 0 of `channels`): PIL clips to 255 (its 'I' / 'I;16' → 'L' step), it does not rescale as sharp does. */
export function grey16ToRgb(grey: Uint16Array, channels: number): Int32Array {
  const pixels = grey.length / channels;
  const rgb = new Int32Array(pixels * 3);
  for (let p = 0; p < pixels; p++) rgb.fill(Math.min(grey[p * channels]!, 255), 3 * p, 3 * p + 3);
  return rgb;
}

/** a·b / 255 rounded as PIL's MULDIV255 macro does. */
function muldiv255(a: number, b: number): number {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

/** CMYK: PIL's cmyk2rgb, R = (255 − K) − C·(255 − K)/255 and so on, no colour management (sharp uses a profile). */
export function cmykToRgb(cmyk: Uint8Array, channels: number): Int32Array {
  const pixels = cmyk.length / channels;
  const rgb = new Int32Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    const nk = 255 - cmyk[p * channels + 3]!;
    for (let c = 0; c < 3; c++) rgb[3 * p + c] = nk - muldiv255(cmyk[p * channels + c]!, nk);
  }
  return rgb;
}

/**
 * RGBA to RGB, alpha dropped; fully transparent pixels take `transparent` (a GIF's colour-table entry for its
 * transparent index, which PIL returns where sharp gives black).
 */
export function rgbaToRgb(rgba: Uint8Array, transparent: readonly [number, number, number]): Int32Array {
  const pixels = rgba.length / 4;
  const rgb = new Int32Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    if (rgba[4 * p + 3] === 0) rgb.set(transparent, 3 * p);
    else for (let c = 0; c < 3; c++) rgb[3 * p + c] = rgba[4 * p + c]!;
  }
  return rgb;
}
