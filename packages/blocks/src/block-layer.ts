import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { checkpoint, type Cost, guardBackend, type Size2, type TrainingMemory } from '@mobilenets/ops';
import { checkBlockInput, checkBlockInputShape } from './check.js';
import type { BlockConfig } from './config.js';
import { applyChain, buildChain, chainCost, chainTrainingMemory, isTapeOn, type Mode, type Unit, type UnitChain } from './units.js';
import type { AddWeight, Init } from './weights.js';

type Kwargs = Record<string, unknown>;
/** tfjs-layers' base layer options, accepted beside every block config. */
export interface LayerOptions {
  name?: string;
  trainable?: boolean;
  inputShape?: number[];
  batchInputShape?: number[];
}

/** The layer options among a config (what `fromConfig` hands back), without the block's own fields. */
export function layerOptions(config: LayerOptions): LayerOptions {
  const { name, trainable, inputShape, batchInputShape } = config;
  return Object.fromEntries(Object.entries({ name, trainable, inputShape, batchInputShape }).filter(([, v]) => v !== undefined));
}

/**
 * torchvision's MobileNets: PyTorch's kaiming_normal_(mode='fan_out'), a plain (not truncated) normal of std
 * √(2 / fan-out) — tfjs' varianceScaling draws a truncated normal, 0.88 of that spread.
 */
const kaimingFanOut = (fanOut: number) => tfl.initializers.randomNormal({ mean: 0, stddev: Math.sqrt(2 / fanOut) });

/** Each named initializer, given the weight's shape (kernels: `[kh, kw, in, out]`, depthwise `[kh, kw, C, 1]`). */
const INITIALIZERS: Record<Exclude<Init, object>, (shape: number[]) => ReturnType<typeof tfl.initializers.zeros>> = {
  convKernel: ([kh, kw, , out]) => kaimingFanOut(kh! * kw! * out!),
  // PyTorch's depthwise weight is [C, 1, kh, kw]: its fan-out counts the C channels (tfjs' fan-out of [kh, kw, C, 1]
  // would be kh·kw, a spread √C times too wide).
  depthwiseKernel: ([kh, kw, c]) => kaimingFanOut(kh! * kw! * c!),
  seNormal: ([kh, kw, , out]) => kaimingFanOut(kh! * kw! * out!),
  // timm's MultiQueryAttention2d: xavier uniform for its projections and down-sampling convs.
  xavier: () => tfl.initializers.glorotUniform({}),
  zeros: () => tfl.initializers.zeros(),
  ones: () => tfl.initializers.ones(),
};

/**
 * The base of every block: a tfjs layer with one plain config object, built from units that create their
 * weights through `addWeight`, whose `call` runs inside `tidy` with BatchNorm in training mode only when
 * `training` is passed (as `fit` does). `build` and `call` are the block's public entry: the input is checked
 * there (a `BlockInputError` naming the layer), and a wasm abort becomes ops' `BackendAbortedError`.
 */
export abstract class BlockLayer<C extends BlockConfig> extends tfl.layers.Layer {
  /** The block's config with every default filled in. */
  readonly block: Required<C>;

  /** `block`: the config with defaults filled in, checked by the subclass before it calls this. */
  constructor(options: LayerOptions, block: Required<C>) {
    super(options);
    this.block = block;
  }

  /** The units in order; set by the subclass constructor. */
  protected chain: UnitChain = [];

  /** Creates the units' weights. */
  protected buildUnits(add: (unit: string) => AddWeight): void {
    buildChain(this.chain, add);
  }

  /**
   * Training with `recompute` keeps only the block's input for the backward pass, which runs the block again
   * (see `checkpoint` in @mobilenets/ops): most of the block's activation memory for about a third more
   * compute. Not serialized: it is how a model trains, not what it is.
   */
  recompute = false;

  /** `run` in training or inference mode; with `recompute`, under `checkpoint`. */
  protected forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    if (training && this.recompute && isTapeOn()) {
      const params = this.trainableWeights.map((w) => w.read() as tf.Variable);
      return checkpoint((input, again) => this.run(input, again ? 'recompute' : 'training'), x, params);
    }
    return this.run(x, training ? 'training' : 'inference');
  }

  /** One pass in `mode`: the units in order, then the shortcut (MobileMQA, whose units are not a chain, overrides it). */
  protected run(x: tf.Tensor4D, mode: Mode): tf.Tensor4D {
    return this.shortcut(x, applyChain(this.chain, x, mode), mode);
  }

  /** How the input joins the output (none by default). */
  protected shortcut(_x: tf.Tensor4D, out: tf.Tensor4D, _mode: Mode): tf.Tensor4D {
    return out;
  }

  /** Params and MACs of one sample, from the same specs the weights are made from. */
  cost(inputSize: Size2): Cost {
    return chainCost(this.chain, inputSize);
  }

  /**
   * Per image, at this input size: what training keeps for the backward pass, and the most the block's backward
   * pass holds on top (`estimateTrainingMemory` in @mobilenets/ops sums them). With `recompute`, only the
   * output is kept, and the backward pass holds the block's whole forward pass again.
   */
  trainingMemory(inputSize: Size2): TrainingMemory {
    const plain = this.plainTrainingMemory(inputSize);
    if (!this.recompute) return plain;
    const [oh, ow] = this.cost(inputSize).outputSize;
    return { saved: oh * ow * this.outputChannels * 4, transient: plain.saved + plain.transient };
  }

  /** `trainingMemory` without recomputation: the units as a chain (MobileMQA, whose units are not one, overrides it). */
  protected plainTrainingMemory(inputSize: Size2): TrainingMemory {
    const [h, w] = typeof inputSize === 'number' ? [inputSize, inputSize] : inputSize;
    return chainTrainingMemory(this.units(), inputSize, h * w * this.inputChannels * 4);
  }

  /** Every unit, in order (InvertedResidual adds its 1×1 shortcut). */
  protected units(): Unit[] {
    return this.chain.map(([, unit]) => unit);
  }

  private get dims(): { inChannels?: number; outChannels?: number; channels?: number; stride?: number } {
    return this.block as unknown as { inChannels?: number; outChannels?: number; channels?: number; stride?: number };
  }
  protected get inputChannels(): number {
    return this.dims.inChannels ?? this.dims.channels!;
  }
  protected get outputChannels(): number {
    return this.dims.outChannels ?? this.dims.channels!;
  }
  protected get strideOf(): number {
    return this.dims.stride ?? 1;
  }

  /** The layer as errors name it: `blocks_3_1 (InvertedResidual)`. */
  private get label(): string {
    return `${this.name} (${this.block.type})`;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape?.[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    checkBlockInputShape(this.label, this.inputChannels, shape);
    try {
      this.buildUnits((unit) => (name, wShape, init, trainable) =>
        this.addWeight(`${unit}/${name}`, wShape, 'float32', typeof init === 'object' ? tfl.initializers.constant({ value: init.constant }) : INITIALIZERS[init](wShape), undefined, trainable),
      );
    } catch (err) {
      // Free what the units made before one failed: the layer stays unbuilt and owns nothing.
      for (const w of this.weights) w.dispose();
      this.trainableWeights = [];
      this.nonTrainableWeights = [];
      (this as unknown as { _addedWeightNames: string[] })._addedWeightNames = []; // tfjs-layers 4.22's record of names
      throw err;
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [n, h, w] = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const s = this.strideOf;
    const out = (v: number | null | undefined) => (v == null ? null : Math.floor((v - 1) / s) + 1);
    return [n ?? null, out(h), out(w), this.outputChannels];
  }

  /** A tensor input is checked before the first call builds the layer: a bad one leaves it unbuilt, owning nothing. */
  override apply(inputs: tf.Tensor | tf.Tensor[] | tfl.SymbolicTensor | tfl.SymbolicTensor[], kwargs?: Kwargs): tf.Tensor | tf.Tensor[] | tfl.SymbolicTensor | tfl.SymbolicTensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!this.built && !(x instanceof tfl.SymbolicTensor)) checkBlockInput(this.label, this.inputChannels, x);
    return super.apply(inputs, kwargs);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    checkBlockInput(this.label, this.inputChannels, x);
    // A frozen block (trainable false) runs in inference mode: its BatchNorm statistics stay as they are.
    return guardBackend(this.label, () => tf.tidy(() => this.forward(x, kwargs.training === true && this.trainable)));
  }

  /** A layer whose build failed, or that was never used, owns nothing: disposing it is a no-op, not an error. */
  override dispose(): ReturnType<tfl.layers.Layer['dispose']> {
    if (!this.built) return { refCountAfterDispose: 0, numDisposedVariables: 0 };
    return super.dispose();
  }

  /** Frees the units' folded inference weights; the weights themselves stay. */
  releaseInferenceCache(): void {
    for (const [, unit] of this.chain) unit.releaseFolded?.();
  }

  protected override disposeWeights(): number {
    this.releaseInferenceCache();
    return super.disposeWeights();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...(this.block as unknown as tf.serialization.ConfigDict) };
  }
}
