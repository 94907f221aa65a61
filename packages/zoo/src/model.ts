import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describeArgument } from '@mobilenets/ops';
import { ModelInputError } from './errors.js';

type Inputs = Parameters<tfl.LayersModel['apply']>[0];

/**
 * What `createModel` returns: a tfjs `LayersModel` whose `predict` and `apply` check their input before tfjs-layers
 * sees it (it would cast an int32 input, and answer a disposed, empty or missing one with a TypeError from deep
 * inside). It saves and loads as a plain tfjs `Model`; a loaded model still has its stem's check (`BlockInputError`).
 */
export class ZooModel extends tfl.LayersModel {
  override predict(x: tf.Tensor | tf.Tensor[], args?: Parameters<tfl.LayersModel['predict']>[1]): tf.Tensor | tf.Tensor[] {
    this.checkInput(x, true);
    return super.predict(x, args);
  }

  override apply(inputs: Inputs, kwargs?: Parameters<tfl.LayersModel['apply']>[1]): ReturnType<tfl.LayersModel['apply']> {
    const first = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!(first instanceof tfl.SymbolicTensor)) this.checkInput(inputs, false); // symbolic: nested in another model
    return super.apply(inputs, kwargs);
  }

  /** A live, non-empty float32 NHWC tensor with the input's channels; for `predict`, also its height and width. */
  private checkInput(x: unknown, sized: boolean): void {
    const t = Array.isArray(x) && x.length === 1 ? x[0] : x;
    const [, h, w, c] = this.inputs[0]!.shape;
    const fits = t instanceof tf.Tensor && !t.isDisposed && t.dtype === 'float32' && t.rank === 4 && t.size > 0 && t.shape[3] === c;
    if (fits && (!sized || (t.shape[1] === h && t.shape[2] === w))) return;
    throw new ModelInputError(this.name, `a float32 NHWC tensor [batch, ${sized ? `${h}, ${w}` : 'height, width'}, ${c}]`, describeArgument(t));
  }
}
