import { type Activation, type BlockConfig, type MobileMQAConfig, sandglassLayout } from '@mobilenets/blocks';

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

/** LayerScale: the input times a learned per-channel γ (weight `<unit>/gamma`). */
export interface ScalePlan {
  kind: 'scale';
  unit: string;
}

export type UnitPlan = ConvPlan | SePlan | ScalePlan;

/** A block whose units run one after the other, then a shortcut. */
export interface ChainPlan {
  kind: 'chain';
  units: UnitPlan[];
  /** How the input joins the output: added as it is, through a 1×1 conv + BN unit, or not at all. */
  shortcut: { kind: 'identity'; identityDiv: number; channels: number } | { kind: 'conv'; unit: ConvPlan } | { kind: 'none' };
}

/**
 * Mobile MQA (`MobileMQA` of the blocks): BatchNorm `norm`; 1×1 convs `query`, `key`, `value` (no bias, no
 * BN), keys and values each after an optional strided depthwise conv + BN (`key_down`, `value_down`); the
 * attention; 1×1 conv `output`; optional LayerScale; x + f(x) when in = out.
 */
export interface AttentionPlan {
  kind: 'attention';
  heads: number;
  keyDim: number;
  valueDim: number;
  /** The input BatchNorm's epsilon. */
  epsilon: number;
  query: ConvPlan;
  keyDown: ConvPlan | null;
  key: ConvPlan;
  valueDown: ConvPlan | null;
  value: ConvPlan;
  output: ConvPlan;
  layerScale: ScalePlan | null;
  residual: boolean;
}

export type BlockPlan = ChainPlan | AttentionPlan;

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

function attentionPlan(c: Required<MobileMQAConfig>): AttentionPlan {
  const eps = c.norm.epsilon;
  const projection = (unit: string) => conv(unit, eps, { activation: 'none', epsilon: null });
  const down = (unit: string) => (c.kvStride === 1 ? null : conv(unit, eps, { kernel: c.kvKernel, stride: c.kvStride, depthwise: true, activation: 'none' }));
  return {
    kind: 'attention',
    heads: c.heads,
    keyDim: c.keyDim,
    valueDim: c.valueDim,
    epsilon: eps,
    query: projection('query'),
    keyDown: down('key_down'),
    key: projection('key'),
    valueDown: down('value_down'),
    value: projection('value'),
    output: projection('output'),
    layerScale: c.layerScale === null ? null : { kind: 'scale', unit: 'layer_scale' },
    residual: c.inChannels === c.outChannels,
  };
}

/**
 * The units of a block, in order, from its config (what `getConfig()` returns, defaults filled in): the same
 * layouts the block classes build in `@mobilenets/blocks`. The exporter checks that the plan uses every weight
 * of the layer and nothing else, so a plan that drifts from its block fails loudly.
 */
export function blockPlan(config: BlockConfig): BlockPlan | null {
  const none = { kind: 'none' } as const;
  const chain = (units: UnitPlan[], shortcut: ChainPlan['shortcut'] = none): ChainPlan => ({ kind: 'chain', units, shortcut });
  const identity = { kind: 'identity', identityDiv: 1, channels: 'outChannels' in config ? config.outChannels : 0 } as const;
  switch (config.type) {
    case 'ConvNormAct': {
      const c = config as Required<typeof config>;
      const depthwise = c.groups > 1 && c.groups === c.inChannels && c.groups === c.outChannels;
      const unit = conv('conv', c.norm.epsilon, { kernel: c.kernel, stride: c.stride, depthwise, groups: c.groups, activation: c.activation, epsilon: c.normalize ? c.norm.epsilon : null });
      return chain([unit]);
    }
    case 'SqueezeExcite':
      return chain([{ kind: 'se', unit: 'se' }]);
    case 'DepthwiseSeparable': {
      const c = config as Required<typeof config>;
      const eps = c.norm.epsilon;
      return chain([conv('depthwise', eps, { kernel: c.kernel, stride: c.stride, depthwise: true, activation: c.activation }), conv('pointwise', eps, { activation: c.activation })]);
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
      if (c.shortcut === 'conv1x1' && c.stride === 1) return chain(units, { kind: 'conv', unit: conv('shortcut', eps, { activation: 'none' }) });
      return chain(units, c.shortcut === 'identity' && c.stride === 1 && c.inChannels === c.outChannels ? identity : none);
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
      return chain(units, c.stride === 1 && c.inChannels === c.outChannels ? identity : none);
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
      return chain(units, layout === 'full' && !c.keep3x3 ? { kind: 'identity', identityDiv: c.identityDiv, channels: c.outChannels } : none);
    }
    case 'UniversalInvertedBottleneck': {
      const c = config as Required<typeof config>;
      const eps = c.norm.epsilon;
      // The stride sits on the middle depthwise, else the start one, else the end one (as the block).
      const [startStride, middleStride, endStride] = c.middleKernel ? [1, c.stride, 1] : c.startKernel ? [c.stride, 1, 1] : [1, 1, c.stride];
      const depthwise = (unit: string, kernel: number, stride: number, activation: Activation) => conv(unit, eps, { kernel, stride, depthwise: true, activation });
      const units: UnitPlan[] = [
        ...(c.startKernel ? [depthwise('start', c.startKernel, startStride, 'none')] : []),
        conv('expand', eps, { activation: c.activation }),
        ...(c.middleKernel ? [depthwise('middle', c.middleKernel, middleStride, c.activation)] : []),
        ...(c.se ? [{ kind: 'se', unit: 'se' } as const] : []),
        conv('project', eps, { activation: 'none' }),
        ...(c.endKernel ? [depthwise('end', c.endKernel, endStride, 'none')] : []),
        ...(c.layerScale !== null ? [{ kind: 'scale', unit: 'layer_scale' } as const] : []),
      ];
      return chain(units, c.stride === 1 && c.inChannels === c.outChannels ? identity : none);
    }
    case 'FusedInvertedBottleneck': {
      const c = config as Required<typeof config>;
      const eps = c.norm.epsilon;
      const units: UnitPlan[] = [
        conv('expand', eps, { kernel: c.kernel, stride: c.stride, activation: c.activation }),
        ...(c.se ? [{ kind: 'se', unit: 'se' } as const] : []),
        conv('project', eps, { activation: 'none' }),
      ];
      return chain(units, c.stride === 1 && c.inChannels === c.outChannels ? identity : none);
    }
    case 'MobileMQA':
      return attentionPlan(config as Required<MobileMQAConfig>);
    default:
      return null;
  }
}
