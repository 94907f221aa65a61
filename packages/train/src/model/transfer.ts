import * as tfl from '@tensorflow/tfjs-layers';
import { TrainConfigError } from '../errors.js';
import { layerChain } from './forward.js';

const CLASSIFIER = 'classifier';

export interface FreezeOptions {
  /**
   * The last layer to freeze, by name (`blocks_3_2`, `head`, …) or index in the chain; every layer before it
   * freezes too. Default: everything but the classifier (seed 003's frozen features).
   */
  upTo?: string | number;
}

function lastIndex(model: tfl.LayersModel, layers: tfl.layers.Layer[], upTo: string | number | undefined): number {
  if (upTo === undefined) {
    const classifier = layers.findIndex((l) => l.name === CLASSIFIER);
    if (classifier < 0) throw new TrainConfigError('freeze', `${model.name} has no '${CLASSIFIER}' layer; name the last layer to freeze with upTo`);
    return classifier - 1;
  }
  const index = typeof upTo === 'number' ? upTo : layers.findIndex((l) => l.name === upTo);
  if (!(Number.isInteger(index) && index >= 0 && index < layers.length)) {
    throw new TrainConfigError('freeze.upTo', `no layer '${upTo}' in ${model.name}; its layers are ${layers.map((l) => l.name).join(', ')}`);
  }
  return index;
}

/**
 * Freezes the layers from the input up to `upTo`: their weights get no gradient and no weight decay, and
 * their BatchNorms run in inference mode, so their running statistics stay as they were.
 */
export function freeze(model: tfl.LayersModel, options: FreezeOptions = {}): void {
  const layers = layerChain(model);
  const last = lastIndex(model, layers, options.upTo);
  for (const layer of layers.slice(0, last + 1)) layer.trainable = false;
}

/** Makes every layer trainable again. */
export function unfreeze(model: tfl.LayersModel): void {
  for (const layer of layerChain(model)) layer.trainable = true;
}

/**
 * A model with a new `numClasses`-way classifier (freshly initialized, as the zoo's) in place of the old one;
 * every other layer, and its weights, is shared with `model`, whose classifier is disposed — use the returned
 * model from here on. The recipe in the model's metadata says the new class count, so `saveModel` records it.
 */
export function replaceHead(model: tfl.LayersModel, numClasses: number): tfl.LayersModel {
  if (!(Number.isInteger(numClasses) && numClasses >= 1)) throw new TrainConfigError('numClasses', `must be a positive integer, got ${numClasses}`);
  const layers = layerChain(model);
  const old = layers.at(-1)!;
  if (old.name !== CLASSIFIER) throw new TrainConfigError('model', `${model.name} ends in '${old.name}', not in a '${CLASSIFIER}' layer`);
  const features = old.input as tfl.SymbolicTensor;
  // Initialized as the zoo's classifier: torchvision's N(0, 0.01), zero bias.
  const head = tfl.layers.dense({ units: numClasses, name: CLASSIFIER, kernelInitializer: tfl.initializers.randomNormal({ mean: 0, stddev: 0.01 }) });
  const output = head.apply(features) as tfl.SymbolicTensor;
  const replaced = tfl.model({ inputs: model.inputs, outputs: output, name: model.name });
  const metadata = model.getUserDefinedMetadata() as { mobilenets?: Record<string, unknown> } | undefined;
  if (metadata?.mobilenets) replaced.setUserDefinedMetadata({ ...metadata, mobilenets: { ...metadata.mobilenets, numClasses } });
  old.dispose();
  return replaced;
}
