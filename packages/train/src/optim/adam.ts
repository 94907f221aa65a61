import * as tf from '@tensorflow/tfjs-core';
import { type AdamConfig, Optimizer, type Param } from './optimizer.js';

/**
 * PyTorch's Adam and AdamW: m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²;
 * p −= lr/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + ε). Adam adds λ·p to g first; AdamW multiplies p by 1 − lr·λ.
 */
export class Adam extends Optimizer<AdamConfig> {
  protected readonly slotInit: Record<string, number> = { m: 0, v: 0 };

  protected update(p: Param, g: tf.Tensor, lr: number, slot: (n: string) => tf.Tensor, setSlot: (n: string, v: tf.Tensor) => void): tf.Tensor {
    const { type, betas, eps, weightDecay } = this.config;
    const [b1, b2] = betas;
    const decay = p.decay && weightDecay > 0;
    let w: tf.Tensor = p.variable;
    if (decay && type === 'adamw') w = tf.mul(w, 1 - lr * weightDecay);
    if (decay && type === 'adam') g = tf.add(g, tf.mul(w, weightDecay));
    const m = tf.add(tf.mul(slot('m'), b1), tf.mul(g, 1 - b1));
    const v = tf.add(tf.mul(slot('v'), b2), tf.mul(tf.square(g), 1 - b2));
    setSlot('m', m);
    setSlot('v', v);
    const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - b2 ** this.step)), eps);
    return tf.sub(w, tf.mul(tf.div(m, denom), lr / (1 - b1 ** this.step)));
  }
}

const defaults = { betas: [0.9, 0.999] as [number, number], eps: 1e-8 };

/** PyTorch's Adam (weight decay as L2 on the gradient; default 0). */
export function adam(config: Omit<AdamConfig, 'type'>): Adam {
  return new Adam({ type: 'adam', ...defaults, weightDecay: 0, ...config });
}

/** PyTorch's AdamW (decoupled weight decay; default 0.01). */
export function adamw(config: Omit<AdamConfig, 'type'>): Adam {
  return new Adam({ type: 'adamw', ...defaults, weightDecay: 0.01, ...config });
}
