import type { Activation, Shortcut } from '@mobilenets/blocks';

/**
 * One block string, timm's grammar plus ours: `<kind>_<option>_<option>…`.
 * kinds: `cn` conv-norm-act, `ds` depthwise-separable (V1), `ir` inverted residual (V2; with `x` or `se` it
 * is V3's bneck), `sg` sandglass (MobileNeXt), and MobileNetV4's `uir` universal inverted bottleneck, `er`
 * fused inverted bottleneck, `mqa` Mobile MQA.
 * options: `r` repeats, `k` kernel (`uir`: the middle depthwise, `mqa`: the key/value down-sampling conv; 0:
 * none), `s` stride (first repeat), `e` expansion ratio (`sg`: reduction t), `x` expansion channels, `c` output
 * channels, `se<ratio>` squeeze-excite (0.25, torchvision's rule), `n<act>` activation (`nre` ReLU, `nr6`
 * ReLU6, `nhs` hard-swish, `nge` GELU), flags `keep` (sandglass keep3x3, first repeat), `sc1x1` / `nosc`
 * (shortcut conv1x1 / none), `b` (conv biases), `fx` (expand even at t = 1), `i<n>` (sandglass identityDiv);
 * for `uir`: `a` start and `p` end depthwise kernels (0 or absent: none); for `mqa`: `h` heads, `d` key and
 * value dim, `v` key/value stride; `ls` LayerScale from 1e-5 (`uir`, `mqa`; timm's layer_scale_init_value).
 * Channel counts are at width 1.0; the builder scales them.
 */
export type BlockKind = 'cn' | 'ds' | 'ir' | 'sg' | 'uir' | 'er' | 'mqa';

export interface BlockArgs {
  kind: BlockKind;
  repeats: number;
  kernel: number;
  stride: number;
  ratio?: number;
  expandChannels?: number;
  outChannels: number;
  se: boolean;
  activation?: Activation;
  keep3x3: boolean;
  shortcut?: Shortcut;
  bias: boolean;
  forceExpand: boolean;
  identityDiv?: number;
  startKernel?: number;
  endKernel?: number;
  heads?: number;
  /** Key and value dim (`mqa`). */
  dim?: number;
  kvStride?: number;
  layerScale: boolean;
}

const KINDS: readonly BlockKind[] = ['cn', 'ds', 'ir', 'sg', 'uir', 'er', 'mqa'];
const ACTIVATIONS: Record<string, Activation> = { re: 'relu', r6: 'relu6', hs: 'hardSwish', ge: 'gelu' };
const FLAGS: Record<string, Partial<BlockArgs>> = {
  keep: { keep3x3: true },
  sc1x1: { shortcut: 'conv1x1' },
  nosc: { shortcut: 'none' },
  b: { bias: true },
  fx: { forceExpand: true },
  ls: { layerScale: true },
};

const INT_OPTIONS: Record<string, keyof BlockArgs> = {
  r: 'repeats',
  k: 'kernel',
  s: 'stride',
  c: 'outChannels',
  x: 'expandChannels',
  i: 'identityDiv',
  a: 'startKernel',
  p: 'endKernel',
  h: 'heads',
  d: 'dim',
  v: 'kvStride',
};

/** Parses one block string; throws a message (the caller adds the position). */
export function parseToken(token: string): BlockArgs {
  const [kind, ...options] = token.split('_');
  if (!KINDS.includes(kind as BlockKind)) throw new Error(`unknown block kind '${kind}' (expected ${KINDS.join(', ')})`);
  const args: Partial<BlockArgs> & { kind: BlockKind } = { kind: kind as BlockKind, repeats: 1, kernel: 3, stride: 1, se: false, keep3x3: false, bias: false, forceExpand: false, layerScale: false };
  for (const opt of options) {
    const flag = FLAGS[opt];
    const int = /^(r|k|s|c|x|i|a|p|h|d|v)(\d+)$/.exec(opt);
    const num = /^(e|se)(\d+(?:\.\d+)?)$/.exec(opt);
    const act = /^n(\w+)$/.exec(opt);
    if (flag) Object.assign(args, flag);
    else if (num) {
      const v = Number(num[2]);
      if (num[1] === 'e') args.ratio = v;
      else if (v === 0.25) args.se = true;
      else if (v !== 0) throw new Error(`squeeze-excite ratio must be 0.25 (squeeze = makeDivisible(C/4, 8)), got ${v}`);
    } else if (int) {
      const v = Number(int[2]);
      const key = INT_OPTIONS[int[1]!]!;
      (args as unknown as Record<string, number>)[key] = v;
    } else if (act && ACTIVATIONS[act[1]!]) args.activation = ACTIVATIONS[act[1]!];
    else throw new Error(`unknown option '${opt}'`);
  }
  if (args.outChannels === undefined) throw new Error('missing the output channels option c<n>');
  if (args.kind === 'sg' && args.ratio === undefined) throw new Error('a sandglass block needs its reduction ratio e<t>');
  if (args.kind === 'ir' && args.ratio === undefined && args.expandChannels === undefined) {
    throw new Error('an inverted residual needs an expansion ratio e<t> or expansion channels x<n>');
  }
  if ((args.kind === 'uir' || args.kind === 'er') && args.ratio === undefined) throw new Error(`a ${args.kind} block needs its expansion ratio e<t>`);
  if (args.kind === 'mqa' && (args.heads === undefined || args.dim === undefined)) throw new Error('an mqa block needs its heads h<n> and key/value dim d<n>');
  return args as BlockArgs;
}
