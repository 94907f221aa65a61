import * as tf from '@tensorflow/tfjs-core';

/** One trainable weight as the optimizer sees it. */
export interface Param {
  /** The zoo's weight name (`blocks_0_0/expand/kernel`): slots are named after it. */
  name: string;
  variable: tf.Variable;
  /** Whether weight decay applies (never to BatchNorm γ / β or biases: see `decays`). */
  decay: boolean;
}

export type OptimizerConfig = SgdConfig | AdamConfig | RmsPropConfig;

export interface SgdConfig {
  type: 'sgd';
  lr: number;
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export interface AdamConfig {
  /** `adam`: L2 decay added to the gradient (PyTorch's Adam); `adamw`: decoupled decay (PyTorch's AdamW). */
  type: 'adam' | 'adamw';
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export interface RmsPropConfig {
  type: 'rmsprop';
  lr: number;
  /** TF's `decay` (PyTorch's `alpha`). */
  decay?: number;
  momentum?: number;
  /** Inside the square root, as TF's RMSProp. */
  epsilon?: number;
  weightDecay?: number;
}

/** What a checkpoint keeps of an optimizer: its config, its update count and every slot, named `<weight>/<slot>`. */
export interface OptimizerState {
  config: OptimizerConfig;
  step: number;
  slots: Map<string, tf.Tensor>;
}

/**
 * An optimizer whose per-weight state lives in named slots, so a checkpoint can store it and a test can read
 * it. `apply` runs one update inside `tidy`; slots are created on the first update of a weight.
 */
export abstract class Optimizer<C extends OptimizerConfig = OptimizerConfig> {
  /** Updates applied so far (Adam's bias correction counts from it). */
  step = 0;
  private readonly slotMap = new Map<string, tf.Variable>();

  constructor(readonly config: Required<C>) {}

  /** The slots each weight gets, with their initial value. */
  protected abstract readonly slotInit: Record<string, number>;

  /** The update of one weight; returns the new value. `slot(name)` reads and `setSlot` writes its state. */
  protected abstract update(p: Param, g: tf.Tensor, lr: number, slot: (name: string) => tf.Tensor, setSlot: (name: string, v: tf.Tensor) => void): tf.Tensor;

  /** One update of every parameter that has a gradient (by parameter name), at learning rate `lr`. */
  apply(params: readonly Param[], grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    this.step++;
    tf.tidy(() => {
      for (const p of params) {
        const g = grads.get(p.name);
        if (!g) continue;
        const slot = (s: string) => this.slotVariable(p, s);
        const setSlot = (s: string, v: tf.Tensor) => this.slotVariable(p, s).assign(v);
        p.variable.assign(this.update(p, g, lr, slot, setSlot));
      }
    });
  }

  private slotVariable(p: Param, slot: string): tf.Variable {
    const key = `${p.name}/${slot}`;
    let v = this.slotMap.get(key);
    if (!v) {
      v = tf.tidy(() => tf.variable(tf.fill(p.variable.shape, this.slotInit[slot]!), false));
      this.slotMap.set(key, v);
    }
    return v;
  }

  /** The config, update count and slots (the tensors stay the optimizer's). */
  getState(): OptimizerState {
    return { config: this.config as OptimizerConfig, step: this.step, slots: new Map(this.slotMap) };
  }

  /** Restores a state from `getState` or a checkpoint (values are copied; the caller keeps its tensors). */
  setState(state: { step: number; slots: ReadonlyMap<string, tf.Tensor> }): void {
    this.dispose();
    this.step = state.step;
    for (const [key, value] of state.slots) this.slotMap.set(key, tf.tidy(() => tf.variable(value.clone(), false)));
  }

  dispose(): void {
    for (const v of this.slotMap.values()) v.dispose();
    this.slotMap.clear();
  }
}
