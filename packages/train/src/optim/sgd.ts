import * as tf from '@tensorflow/tfjs-core';
import { Optimizer, type Param, type SgdConfig } from './optimizer.js';

/**
 * PyTorch's SGD (no dampening): d = g + λ·p; b = μ·b + d; p −= lr · (nesterov ? d + μ·b : b). The buffer
 * starts at zero, which equals PyTorch's first-step copy of d.
 */
export class Sgd extends Optimizer<SgdConfig> {
  protected readonly slotInit: Record<string, number> = { momentum: 0 };

  protected update(p: Param, g: tf.Tensor, lr: number, slot: (n: string) => tf.Tensor, setSlot: (n: string, v: tf.Tensor) => void): tf.Tensor {
    const { momentum, nesterov, weightDecay } = this.config;
    let d = p.decay && weightDecay > 0 ? tf.add(g, tf.mul(p.variable, weightDecay)) : g;
    if (momentum > 0) {
      const b = tf.add(tf.mul(slot('momentum'), momentum), d);
      setSlot('momentum', b);
      d = nesterov ? tf.add(d, tf.mul(b, momentum)) : b;
    }
    return tf.sub(p.variable, tf.mul(d, lr));
  }
}

export function sgd(config: Omit<SgdConfig, 'type'>): Sgd {
  return new Sgd({ type: 'sgd', momentum: 0, nesterov: false, weightDecay: 0, ...config });
}
