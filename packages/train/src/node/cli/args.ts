import { parseArgs } from 'node:util';
import type { BackendName } from '@mobilenets/ops';
import type { BlockFamily } from '@mobilenets/zoo';
import { TrainConfigError } from '../../errors.js';
import type { OptimizerConfig } from '../../optim/optimizer.js';

export const HELP = `Usage: mobilenets-train --model NAME --data SOURCE --out DIR [options]
       mobilenets-train --resume --out DIR

Trains or fine-tunes a @mobilenets/zoo model and writes best/ and last/ checkpoints (model directories),
log.jsonl and curves.svg into --out.

Data:
  --data SOURCE          fashion-mnist[:DIR] | cifar10:DIR | folder:DIR (one sub-folder per class)
  --val folder:DIR       validation folder (default: the test split for fashion-mnist / cifar10)
  --val-split F          hold out a fraction F of the training data for validation instead
  --batch-size N         default 64
  --input-size N         square input side (default 32 for fashion-mnist / cifar10, 224 for folders)
  --train-images N       train on the first N training images only (a quick run)

Model:
  --model NAME           a zoo model (mobilenets-summary --list)
  --width W              width multiplier (default: the model's own, e.g. 0.35 for mobilenetv2_035)
  --block KIND           rebuild the layout from inverted_residual or sandglass blocks (MobileNeXt's swap:
                         mobilenetv2_100 --block sandglass is V2's layout with sandglass blocks)
  --pretrained PATH      start from a model directory (a checkpoint's best/ or last/) or a torchvision
                         .safetensors file of the same architecture; the classifier is replaced when the
                         classes differ
  --freeze               train only the classifier (BatchNorm statistics of the frozen layers kept)
  --freeze-up-to LAYER   freeze the layers up to LAYER (a name such as blocks_3_0, or an index in the
                         model's chain of layers) and train the rest

Training:
  --epochs N             default 10
  --optimizer NAME       adam (default) | adamw | sgd (momentum 0.9) | rmsprop (TF's: decay 0.9, momentum 0.9, eps 1)
  --lr LR                default: adam/adamw 1e-3, sgd 0.1, rmsprop 0.045
  --schedule NAME        constant (default) | cosine (per step) | step (×0.1 every third of the run) |
                         exponential (×0.98 per epoch)
  --warmup EPOCHS        linear warm-up from 0 before the schedule (per step)
  --label-smoothing E    default 0
  --weight-decay W       never on BatchNorm or biases (adamw: decoupled)
  --ema DECAY            keep an EMA of the weights, evaluated and saved as ema/ beside them
  --seed N               data order, augmentation and dropout (default 0)

Run:
  --out DIR              where checkpoints and logs go; an existing run there is kept unless
  --resume               continue the run in --out from last/ (its settings are reused; --epochs may extend it)
  --overwrite            replace the run in --out
  --backend NAME         auto (default) | wasm | cpu | webgpu | tensorflow
  --threads N            wasm threads
  --format text|json     the final summary on stdout (default text)
  --verbose              stack traces of errors
  -h, --help             this text

Examples:
  # seed 000: MobileNetV1 on CIFAR-10, Adam 1e-3, 10 epochs, best by test accuracy
  mobilenets-train --model mobilenetv1_cifar --data cifar10:./cifar-10-batches-bin --epochs 10 --batch-size 128 --out runs/cifar
  # seed 003: fine-tune a pretrained V2 on a flower folder with a frozen backbone
  mobilenets-train --model mobilenetv2_100 --data folder:flowers/train --val folder:flowers/val \\
    --pretrained mobilenet_v2.safetensors --freeze --lr 1e-4 --epochs 5 --batch-size 16 --out runs/flowers
  # seed 001: MobileNeXt, warm-up + cosine, label smoothing
  mobilenets-train --model mobilenext_035 --data fashion-mnist --schedule cosine --warmup 1 --label-smoothing 0.1 --out runs/next
  # MobileNeXt's claim: V2's layout with sandglass blocks, at V2 0.35's width, on 6,000 images (compare without --block)
  mobilenets-train --model mobilenetv2_100 --width 0.35 --block sandglass --data fashion-mnist --train-images 6000 \\
    --epochs 4 --lr 3e-3 --schedule cosine --label-smoothing 0.1 --out runs/v2-sandglass
  # fine-tune the last stages of a pretrained checkpoint, the first ones frozen; replace an earlier run in --out
  mobilenets-train --model mobilenetv2_035 --data folder:shoes/train --val-split 0.2 --input-size 32 \\
    --pretrained runs/pretrain/best --freeze-up-to blocks_4_0 --lr 1e-3 --out runs/shoes --overwrite
  # SGD with momentum, step decay, weight decay, an EMA of the weights, 4 wasm threads, a JSON summary
  mobilenets-train --model mobilenetv3_small_100 --data cifar10:./cifar-10-batches-bin --optimizer sgd --lr 0.1 \\
    --schedule step --weight-decay 4e-5 --ema 0.999 --seed 1 --backend wasm --threads 4 --format json --verbose --out runs/v3
  # Ctrl-C writes last/; continue later:
  mobilenets-train --resume --out runs/next
`;

export type ScheduleName = 'constant' | 'cosine' | 'step' | 'exponential';

/** What a run is made of (saved as run.json in --out, so --resume needs nothing else). */
export interface RunArgs {
  model: string;
  data: string;
  val: string | null;
  valSplit: number | null;
  batchSize: number;
  inputSize: number | null;
  trainImages: number | null;
  width: number | null;
  block: BlockFamily | null;
  pretrained: string | null;
  freeze: boolean;
  /** Freeze up to this layer (a name or chain index) instead of all but the classifier. */
  freezeUpTo: string | number | null;
  epochs: number;
  optimizer: OptimizerConfig['type'];
  lr: number | null;
  schedule: ScheduleName;
  warmup: number;
  labelSmoothing: number;
  weightDecay: number | null;
  ema: number | null;
  seed: number;
}

export interface CliArgs {
  run: Partial<RunArgs>;
  out: string | null;
  resume: boolean;
  overwrite: boolean;
  backend: BackendName | 'auto';
  threads: number | undefined;
  format: 'text' | 'json';
  verbose: boolean;
  help: boolean;
}

const OPTIMIZERS = ['adam', 'adamw', 'sgd', 'rmsprop'] as const;
const BLOCKS = ['inverted_residual', 'sandglass'] as const;
const SCHEDULES = ['constant', 'cosine', 'step', 'exponential'] as const;
const BACKENDS = ['auto', 'wasm', 'cpu', 'webgpu', 'tensorflow'] as const;

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new TrainConfigError(`--${flag}`, `must be one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

function number(flag: string, value: string, check: (n: number) => boolean, what: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new TrainConfigError(`--${flag}`, `must be ${what}, got '${value}'`);
  return n;
}

const positiveInt = (flag: string, v: string) => number(flag, v, (n) => Number.isInteger(n) && n >= 1, 'a positive integer');

/** Parses and checks the command line; flags left out stay undefined (defaults come later, or from run.json). */
export function parseCli(argv: string[]): CliArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new TrainConfigError('arguments', (err as Error).message, { cause: err });
  }
  const { values: v, positionals } = parsed;
  if (positionals.length > 0) throw new TrainConfigError('arguments', `unexpected '${positionals.join(' ')}' (flags only; see --help)`);
  const run: Partial<RunArgs> = {};
  if (v.model !== undefined) run.model = v.model;
  if (v.data !== undefined) run.data = v.data;
  if (v.val !== undefined) run.val = v.val;
  if (v['val-split'] !== undefined) run.valSplit = number('val-split', v['val-split'], (n) => n > 0 && n < 1, 'a fraction in (0, 1)');
  if (run.val && run.valSplit) throw new TrainConfigError('--val-split', 'cannot be used together with --val');
  if (v['batch-size'] !== undefined) run.batchSize = positiveInt('batch-size', v['batch-size']);
  if (v['input-size'] !== undefined) run.inputSize = positiveInt('input-size', v['input-size']);
  if (v['train-images'] !== undefined) run.trainImages = positiveInt('train-images', v['train-images']);
  if (v.width !== undefined) run.width = number('width', v.width, (n) => n > 0, 'a positive number');
  if (v.block !== undefined) run.block = oneOf('block', v.block, BLOCKS);
  if (v.pretrained !== undefined) run.pretrained = v.pretrained;
  if (v.freeze) run.freeze = true;
  if (v['freeze-up-to'] !== undefined) run.freezeUpTo = /^\d+$/.test(v['freeze-up-to']) ? Number(v['freeze-up-to']) : v['freeze-up-to'];
  if (run.freeze && run.freezeUpTo !== undefined) throw new TrainConfigError('--freeze-up-to', 'cannot be used together with --freeze (which freezes all but the classifier)');
  if (v.epochs !== undefined) run.epochs = positiveInt('epochs', v.epochs);
  if (v.optimizer !== undefined) run.optimizer = oneOf('optimizer', v.optimizer, OPTIMIZERS);
  if (v.lr !== undefined) run.lr = number('lr', v.lr, (n) => n > 0, 'a positive number');
  if (v.schedule !== undefined) run.schedule = oneOf('schedule', v.schedule, SCHEDULES);
  if (v.warmup !== undefined) run.warmup = number('warmup', v.warmup, (n) => n >= 0, 'a number of epochs ≥ 0');
  if (v['label-smoothing'] !== undefined) run.labelSmoothing = number('label-smoothing', v['label-smoothing'], (n) => n >= 0 && n < 1, 'in [0, 1)');
  if (v['weight-decay'] !== undefined) run.weightDecay = number('weight-decay', v['weight-decay'], (n) => n >= 0, '≥ 0');
  if (v.ema !== undefined) run.ema = number('ema', v.ema, (n) => n > 0 && n < 1, 'a decay in (0, 1)');
  if (v.seed !== undefined) run.seed = number('seed', v.seed, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
  if (v.resume && v.overwrite) throw new TrainConfigError('--overwrite', 'cannot be used together with --resume');
  return {
    run,
    out: v.out ?? null,
    resume: v.resume === true,
    overwrite: v.overwrite === true,
    backend: oneOf('backend', v.backend ?? 'auto', BACKENDS),
    threads: v.threads === undefined ? undefined : positiveInt('threads', v.threads),
    format: oneOf('format', v.format ?? 'text', ['text', 'json'] as const),
    verbose: v.verbose === true,
    help: v.help === true,
  };
}

const s = { type: 'string' } as const;
const b = { type: 'boolean' } as const;
/** Every flag of the CLI (each one is in HELP: a test checks). */
export const FLAGS = {
  model: s,
  data: s,
  val: s,
  'val-split': s,
  'train-images': s,
  epochs: s,
  'batch-size': s,
  'input-size': s,
  width: s,
  block: s,
  lr: s,
  optimizer: s,
  schedule: s,
  warmup: s,
  'label-smoothing': s,
  'weight-decay': s,
  ema: s,
  pretrained: s,
  freeze: b,
  'freeze-up-to': s,
  backend: s,
  threads: s,
  out: s,
  resume: b,
  overwrite: b,
  seed: s,
  format: s,
  verbose: b,
  help: { type: 'boolean', short: 'h' },
} as const;

const parse = (argv: string[]) => parseArgs({ args: argv, allowPositionals: true, options: FLAGS });

/** A new run's arguments with defaults filled in; `--model`, `--data` and `--out` are required. */
export function completeRun(run: Partial<RunArgs>): RunArgs {
  if (!run.model) throw new TrainConfigError('--model', 'which model? (mobilenets-summary --list lists them)');
  if (!run.data) throw new TrainConfigError('--data', 'what to train on? fashion-mnist[:DIR], cifar10:DIR or folder:DIR');
  return {
    model: run.model,
    data: run.data,
    val: run.val ?? null,
    valSplit: run.valSplit ?? null,
    batchSize: run.batchSize ?? 64,
    inputSize: run.inputSize ?? null,
    trainImages: run.trainImages ?? null,
    width: run.width ?? null,
    block: run.block ?? null,
    pretrained: run.pretrained ?? null,
    freeze: run.freeze ?? false,
    freezeUpTo: run.freezeUpTo ?? null,
    epochs: run.epochs ?? 10,
    optimizer: run.optimizer ?? 'adam',
    lr: run.lr ?? null,
    schedule: run.schedule ?? 'constant',
    warmup: run.warmup ?? 0,
    labelSmoothing: run.labelSmoothing ?? 0,
    weightDecay: run.weightDecay ?? null,
    ema: run.ema ?? null,
    seed: run.seed ?? 0,
  };
}
