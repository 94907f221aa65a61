import type * as tfl from '@tensorflow/tfjs-layers';

type LayerVariable = tfl.LayerVariable;
export type { LayerVariable };

/** A named initializer, or a constant (LayerScale's γ). */
export type Init = 'convKernel' | 'depthwiseKernel' | 'zeros' | 'ones' | 'seNormal' | 'xavier' | { constant: number };

/** Creates one weight of the owning layer (the layer's `addWeight`, scoped to a unit). */
export type AddWeight = (name: string, shape: number[], init: Init, trainable: boolean) => LayerVariable;
