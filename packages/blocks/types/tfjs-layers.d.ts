/**
 * The part of tfjs-layers' API that blocks' declarations name, declared on its own: tfjs-layers' own
 * declarations fail a `--strict` compile without `skipLibCheck` (15 errors in 4.22), and a program that imports
 * only blocks should not load them. The build writes blocks' default declarations against this file; under the
 * `tfjs-layers` export condition (tsconfig `customConditions: ["tfjs-layers"]`) they name tfjs-layers' own types,
 * which a program passing blocks to tfjs-layers' model APIs needs. The values are tfjs-layers' at run time.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** A shape whose batch (or other) dimension may be unknown. */
export type Shape = (number | null)[];

/** A layer's weight. */
export declare class LayerVariable {
  readonly dtype: tf.DataType;
  readonly shape: Shape;
  readonly id: number;
  readonly name: string;
  readonly originalName: string;
  get trainable(): boolean;
  set trainable(trainable: boolean);
  read(): tf.Tensor;
  write(newVal: tf.Tensor): this;
  dispose(): void;
}

/** A placeholder tensor of a model being defined (`tf.input`, or a layer applied to one). */
export declare class SymbolicTensor {
  readonly dtype: tf.DataType;
  readonly shape: Shape;
  readonly name: string;
  readonly rank: number;
}

export declare namespace layers {
  /** tfjs-layers' base layer, as far as blocks' declarations need it. */
  abstract class Layer extends tf.serialization.Serializable {
    name: string;
    readonly id: number;
    get built(): boolean;
    set built(built: boolean);
    get trainable(): boolean;
    set trainable(trainable: boolean);
    get weights(): LayerVariable[];
    get trainableWeights(): LayerVariable[];
    get nonTrainableWeights(): LayerVariable[];
    get outputShape(): Shape | Shape[];
    countParams(): number;
    getWeights(trainableOnly?: boolean): tf.Tensor[];
    setWeights(weights: tf.Tensor[]): void;
    build(inputShape: Shape | Shape[]): void;
    computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[];
    call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
    apply(
      inputs: tf.Tensor | tf.Tensor[] | SymbolicTensor | SymbolicTensor[],
      kwargs?: Record<string, unknown>,
    ): tf.Tensor | tf.Tensor[] | SymbolicTensor | SymbolicTensor[];
    getConfig(): tf.serialization.ConfigDict;
    dispose(): { refCountAfterDispose: number; numDisposedVariables: number };
    protected disposeWeights(): number;
  }
}
