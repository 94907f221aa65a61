import { type Activation, type BlockConfig, sandglassLayout } from '@mobilenets/blocks';

/** One conv-norm-act unit of a block: its weights sit under `<layer>/<unit>/`. */
export interface ConvPlan {
  kind: 'conv';
  unit: string;
  kernel: number;
  stride: number;
  /** Depthwise (the kernel is stored [k, k, C, 1]); otherwise grouped by `groups`. */
  depthwise: boolean;
  groups: number;
  activation: Activation;
  /** BatchNorm epsilon; null: no BatchNorm. */
  epsilon: number | null;
}

/** Squeeze-and-excitation: weights `se/reduce_kernel`, `se/reduce_bias`, `se/expand_kernel`, `se/expand_bias`. */
export interface SePlan {
  kind: 'se';
  unit: string;
}

export type UnitPlan = ConvPlan | SePlan;

export interface BlockPlan {
  units: UnitPlan[];
  /** How the input joins the output: added as it is, through a 1×1 conv + BN unit, or not at all. */
  shortcut: { kind: 'identity'; identityDiv: number; channels: number } | { kind: 'conv'; unit: ConvPlan } | { kind: 'none' };
}

const conv = (unit: string, epsilon: number, o: Partial<ConvPlan> & Pick<ConvPlan, 'activation'>): ConvPlan => ({
  kind: 'conv',
  unit,
  kernel: 1,
  stride: 1,
  depthwise: false,
  groups: 1,
  epsilon,
  ...o,
});

/**
 * The units of a block, in order, from its config (what `getConfig()` returns, defaults filled in): the same
 * layouts the block classes build in `@mobilenets/blocks`. The exporter checks that the plan uses every weight
 * of the layer and nothing else, so a plan that drifts from its block fails loudly.
 */
export function blockPlan(config: BlockConfig): BlockPlan | null {
  const none = { kind: 'none' } as const;
  const identity = { kind: 'identity', identityDiv: 1, channels: 'outChannels' in config ? config.outChannels : 0 } as const;
  switch (config.type) {
    case 'ConvNormAct': {
      const c = config as Required<typeof config>;
      const depthwise = c.groups > 1 && c.groups === c.inChannels && c.groups === c.outChannels;
      const unit = conv('conv', c.norm.epsilon, { kernel: c.kernel, stride: c.stride, depthwise, groups: c.groups, activation: c.activation, epsilon: c.normalize ? c.norm.epsilon : null });
      return { units: [unit], shortcut: none };
    }
    case 'SqueezeExcite':
      return { units: [{ kind: 'se', unit: 'se' }], shortcut: none };
    case 'DepthwiseSeparable': {
      const c = config as Required<typeof config>;
      const eps = c.norm.epsilon;
      return {
        units: [conv('depthwise', eps, { kernel: c.kernel, stride: c.stride, depthwise: true, activation: c.activation }), conv('pointwise', eps, { activation: c.activation })],
        shortcut: none,
      };
    }
    case 'InvertedResidual': {
      const c = config as Required<typeof config>;
      const eps = c.norm.epsilon;
      const expand = c.expandRatio !== 1 || c.forceExpand;
      const units = [
        ...(expand ? [conv('expand', eps, { activation: c.activation })] : []),
        conv('depthwise', eps, { kernel: c.kernel, stride: c.stride, depthwise: true, activation: c.activation }),
        conv('project', eps, { activation: 'none' }),
      ];
      if (c.shortcut === 'conv1x1' && c.stride === 1) return { units, shortcut: { kind: 'conv', unit: conv('shortcut', eps, { activation: 'none' }) } };
      return { units, shortcut: c.shortcut === 'identity' && c.stride === 1 && c.inChannels === c.outChannels ? identity : none };
    }
    case 'Bneck': {
      const c = config as Required<typeof config>;
      const eps = c.norm.epsilon;
      const units: UnitPlan[] = [
        ...(c.expandChannels !== c.inChannels ? [conv('expand', eps, { activation: c.activation })] : []),
        conv('depthwise', eps, { kernel: c.kernel, stride: c.stride, depthwise: true, activation: c.activation }),
        ...(c.se ? [{ kind: 'se', unit: 'se' } as const] : []),
        conv('project', eps, { activation: 'none' }),
      ];
      return { units, shortcut: c.stride === 1 && c.inChannels === c.outChannels ? identity : none };
    }
    case 'Sandglass': {
      const c = config as Required<typeof config>;
      const eps = c.norm.epsilon;
      const layout = sandglassLayout(c);
      const units = [
        ...(layout === 'first' || layout === 'full' ? [conv('depthwise_in', eps, { kernel: 3, depthwise: true, activation: 'relu6' })] : []),
        conv('reduce', eps, { activation: 'none' }),
        conv('expand', eps, { activation: 'relu6' }),
        ...(layout !== 'pw-pw' ? [conv('depthwise_out', eps, { kernel: 3, stride: c.stride, depthwise: true, activation: 'none' })] : []),
      ];
      return { units, shortcut: layout === 'full' && !c.keep3x3 ? { kind: 'identity', identityDiv: c.identityDiv, channels: c.outChannels } : none };
    }
    default:
      return null;
  }
}
