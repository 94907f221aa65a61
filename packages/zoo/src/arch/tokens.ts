import type { Activation, Shortcut } from '@mobilenets/blocks';

/**
 * One block string, timm's grammar plus ours: `<kind>_<option>_<option>…`.
 * kinds: `cn` conv-norm-act, `ds` depthwise-separable (V1), `ir` inverted residual (V2; with `x` or `se` it
 * is V3's bneck), `sg` sandglass (MobileNeXt).
 * options: `r` repeats, `k` kernel, `s` stride (first repeat), `e` expansion ratio (`sg`: reduction t),
 * `x` expansion channels, `c` output channels, `se<ratio>` squeeze-excite (0.25, torchvision's rule),
 * `n<act>` activation (`nre` ReLU, `nr6` ReLU6, `nhs` hard-swish), flags `keep` (sandglass keep3x3, first
 * repeat), `sc1x1` / `nosc` (shortcut conv1x1 / none), `b` (conv biases), `fx` (expand even at t = 1),
 * `i<n>` (sandglass identityDiv).
 * Channel counts are at width 1.0; the builder scales them.
 */
export type BlockKind = 'cn' | 'ds' | 'ir' | 'sg';

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
}

const KINDS: readonly BlockKind[] = ['cn', 'ds', 'ir', 'sg'];
const ACTIVATIONS: Record<string, Activation> = { re: 'relu', r6: 'relu6', hs: 'hardSwish' };
const FLAGS: Record<string, Partial<BlockArgs>> = {
  keep: { keep3x3: true },
  sc1x1: { shortcut: 'conv1x1' },
  nosc: { shortcut: 'none' },
  b: { bias: true },
  fx: { forceExpand: true },
};

/** Parses one block string; throws a message (the caller adds the position). */
export function parseToken(token: string): BlockArgs {
  const [kind, ...options] = token.split('_');
  if (!KINDS.includes(kind as BlockKind)) throw new Error(`unknown block kind '${kind}' (expected ${KINDS.join(', ')})`);
  const args: Partial<BlockArgs> & { kind: BlockKind } = { kind: kind as BlockKind, repeats: 1, kernel: 3, stride: 1, se: false, keep3x3: false, bias: false, forceExpand: false };
  for (const opt of options) {
    const flag = FLAGS[opt];
    const int = /^(r|k|s|c|x|i)(\d+)$/.exec(opt);
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
      const key = { r: 'repeats', k: 'kernel', s: 'stride', c: 'outChannels', x: 'expandChannels', i: 'identityDiv' }[int[1]!] as keyof BlockArgs;
      (args as unknown as Record<string, number>)[key] = v;
    } else if (act && ACTIVATIONS[act[1]!]) args.activation = ACTIVATIONS[act[1]!];
    else throw new Error(`unknown option '${opt}'`);
  }
  if (args.outChannels === undefined) throw new Error('missing the output channels option c<n>');
  if (args.kind === 'sg' && args.ratio === undefined) throw new Error('a sandglass block needs its reduction ratio e<t>');
  if (args.kind === 'ir' && args.ratio === undefined && args.expandChannels === undefined) {
    throw new Error('an inverted residual needs an expansion ratio e<t> or expansion channels x<n>');
  }
  return args as BlockArgs;
}
