import * as tf from '@tensorflow/tfjs-core';
import { customOp } from '../custom-op.js';
import { OpsInputError } from '../errors.js';
import { simdKernels } from '../kernels/wasm-simd.js';
import { spread } from './backprop.js';
import { pair, type Size2 } from './geometry.js';
import { guardBackend } from '../backend/abort.js';
import { checkConvInput } from './validate.js';

export interface PointwiseOptions {
  /** Stride, one for both axes or `[height, width]`. Default 1. */
  stride?: Size2;
}

/**
 * 1×1 convolution as one matrix product: NHWC input, `[1, 1, in, out]` filter. Its gradient is two
 * plain matrix products with explicit transposes (transposed-operand matMul is 10–40x slower on wasm).
 */
export function pointwiseConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, options: PointwiseOptions = {}): tf.Tensor4D {
  checkConvInput('pointwiseConv2d', x, filter);
  if (filter.shape[0] !== 1 || filter.shape[1] !== 1) {
    throw new OpsInputError(`pointwiseConv2d: the filter must be [1, 1, in, out], got [${filter.shape.join(', ')}]`);
  }
  const [sh, sw] = pair(options.stride ?? 1, 'stride');
  const [n, h, w, cin] = x.shape;
  const cout = filter.shape[3];
  const ho = Math.ceil(h / sh);
  const wo = Math.ceil(w / sw);
  return guardBackend('pointwiseConv2d', () =>
    customOp(
      [x, filter],
      (save) => {
        // A strided 1×1 convolution reads every stride-th pixel: subsample first, then multiply.
        const rows = tf.reshape(subsample(x, sh, sw), [n * ho * wo, cin]);
        const w2 = tf.reshape(filter, [cin, cout]);
        save([rows, w2]);
        return tf.reshape(tf.matMul(rows, w2), [n, ho, wo, cout]);
      },
      (dy, saved) => {
        const [sRows, sW] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dyRows = (): tf.Tensor2D => tf.reshape(dy, [n * ho * wo, cout]);
        return [
          () => unsample(tf.reshape(tf.matMul(dyRows(), tf.transpose(sW)), [n, ho, wo, cin]), h, w, sh, sw),
          () => tf.reshape(filterGrad(sRows, dyRows()), [1, 1, cin, cout]),
        ];
      },
    ),
  );
}

/**
 * xᵀ·dy. On wasm one SIMD pass over both (kernels/simd.c: XNNPACK would transpose one and pack the other);
 * elsewhere transposing whichever operand is narrower (the transpose is the costly copy).
 */
function filterGrad(rows: tf.Tensor2D, dyRows: tf.Tensor2D): tf.Tensor2D {
  const simd = simdKernels();
  if (simd) return simd.matMulTN(rows, dyRows);
  if (rows.shape[1] <= dyRows.shape[1]) return tf.matMul(tf.transpose(rows), dyRows);
  return tf.transpose(tf.matMul(tf.transpose(dyRows), rows)) as tf.Tensor2D;
}

function subsample(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return x;
  return tf.stridedSlice(x, [0, 0, 0, 0], x.shape, [1, sh, sw, 1]) as tf.Tensor4D;
}

/** The adjoint of `subsample`: gradients back at every stride-th pixel, zeros elsewhere. */
function unsample(d: tf.Tensor4D, h: number, w: number, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return d;
  const spreadOut = spread(d, sh, sw);
  const [n, hs, ws, c] = spreadOut.shape;
  const fit = tf.slice(spreadOut, [0, 0, 0, 0], [n, Math.min(hs, h), Math.min(ws, w), c]);
  return tf.pad(fit, [[0, 0], [0, h - fit.shape[1]], [0, w - fit.shape[2]], [0, 0]]);
}
