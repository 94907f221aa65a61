import * as tf from '@tensorflow/tfjs-core';
import { Optimizer, type Param, type RmsPropConfig } from './optimizer.js';

/**
 * TensorFlow's RMSProp, as TF-slim trained the MobileNets (`rmsprop_decay` 0.9, `rmsprop_momentum` 0.9,
 * `opt_epsilon` 1.0): ms = ρ·ms + (1−ρ)g² with ms starting at one; mom = μ·mom + lr·g / √(ms + ε); p −= mom.
 * PyTorch's RMSprop differs in three ways: its mean square starts at zero, ε is added outside the square
 * root, and lr multiplies the momentum buffer instead of entering it (timm's `RMSpropTF` is this one).
 * Weight decay is L2 on the gradient, as TF-slim's regularization loss.
 */
export class RmsProp extends Optimizer<RmsPropConfig> {
  protected readonly slotInit: Record<string, number> = { ms: 1, mom: 0 };

  protected update(p: Param, g: tf.Tensor, lr: number, slot: (n: string) => tf.Tensor, setSlot: (n: string, v: tf.Tensor) => void): tf.Tensor {
    const { decay, momentum, epsilon, weightDecay } = this.config;
    if (p.decay && weightDecay > 0) g = tf.add(g, tf.mul(p.variable, weightDecay));
    const ms = tf.add(tf.mul(slot('ms'), decay), tf.mul(tf.square(g), 1 - decay));
    const mom = tf.add(tf.mul(slot('mom'), momentum), tf.mul(tf.div(g, tf.sqrt(tf.add(ms, epsilon))), lr));
    setSlot('ms', ms);
    setSlot('mom', mom);
    return tf.sub(p.variable, mom);
  }
}

export function rmsprop(config: Omit<RmsPropConfig, 'type'>): RmsProp {
  return new RmsProp({ type: 'rmsprop', decay: 0.9, momentum: 0.9, epsilon: 1.0, weightDecay: 0, ...config });
}
