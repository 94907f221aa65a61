import { appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loader } from '@mobilenets/data';
import { initBackend } from '@mobilenets/ops';
import { createModel, listModels, loadModel, ModelConfigError, summarize, writeFileAtomic } from '@mobilenets/zoo';
import { CheckpointError, PretrainedMismatchError, TrainConfigError, TrainDataError } from '../../errors.js';
import { fit, type History } from '../../fit.js';
import { freeze, replaceHead } from '../../model/transfer.js';
import type { OptimizerConfig } from '../../optim/optimizer.js';
import type { Schedule } from '../../schedule.js';
import { checkpointPath, readCheckpoint } from '../checkpoint.js';
import { loadPretrained } from '../pretrained.js';
import { type CliArgs, completeRun, HELP, parseCli, type RunArgs } from './args.js';
import { curvesSvg } from './chart.js';
import { openData } from './data.js';
import { EpochProgress } from './progress.js';
import { formatSummary, type RunSummary } from './summary.js';

const RUN_JSON = 'run.json';
const LOG = 'log.jsonl';
const CURVES = 'curves.svg';
/** What a run writes into --out: an --overwrite removes these and nothing else. */
const RUN_FILES = ['best', 'last', RUN_JSON, LOG, CURVES];

const DEFAULT_LR: Record<OptimizerConfig['type'], number> = { adam: 1e-3, adamw: 1e-3, sgd: 0.1, rmsprop: 0.045 };

export function optimizerOf(args: RunArgs): OptimizerConfig {
  const lr = args.lr ?? DEFAULT_LR[args.optimizer];
  const decay = args.weightDecay === null ? {} : { weightDecay: args.weightDecay };
  return args.optimizer === 'sgd' ? { type: 'sgd', lr, momentum: 0.9, ...decay } : { type: args.optimizer, lr, ...decay };
}

export function scheduleOf(args: RunArgs, stepsPerEpoch: number): Schedule {
  const base: Schedule =
    args.schedule === 'cosine'
      ? { type: 'cosine', per: 'step' }
      : args.schedule === 'step'
        ? { type: 'step', every: Math.max(1, Math.ceil(args.epochs / 3)), gamma: 0.1 }
        : args.schedule === 'exponential'
          ? { type: 'exponential', gamma: 0.98 }
          : { type: 'constant' };
  const warmupSteps = Math.round(args.warmup * stepsPerEpoch);
  return warmupSteps > 0 ? { type: 'warmup', length: warmupSteps, per: 'step', after: base } : base;
}

async function readRun(out: string): Promise<RunArgs> {
  try {
    return completeRun(JSON.parse(await readFile(join(out, RUN_JSON), 'utf8')) as Partial<RunArgs>); // older runs lack newer flags
  } catch (err) {
    throw new CheckpointError(out, `holds no run to resume (no readable ${RUN_JSON})`, { cause: err });
  }
}

/** The run's arguments: a new run's flags, or for --resume the saved ones (only --epochs may change). */
async function runArgs(cli: CliArgs, out: string): Promise<RunArgs> {
  if (!cli.resume) {
    const args = completeRun(cli.run);
    const existing = (await readdir(out).catch(() => [] as string[])).filter((e) => RUN_FILES.includes(e));
    if (existing.length > 0 && !cli.overwrite) {
      throw new CheckpointError(out, `already holds a run (${existing.join(', ')}): pass --resume to continue it or --overwrite to replace it`);
    }
    return args;
  }
  const { epochs, ...others } = cli.run;
  const changed = Object.keys(others);
  if (changed.length > 0) throw new TrainConfigError('--resume', `reuses the run's own settings; only --epochs may change (got ${changed.join(', ')})`);
  return { ...(await readRun(out)), ...(epochs !== undefined && { epochs }) };
}

const sameLabels = (a: readonly string[] | null, b: readonly string[]) => !!a && a.length === b.length && a.every((l, i) => l === b[i]);

async function buildModel(cli: CliArgs, args: RunArgs, out: string, classes: readonly string[], inputSize: number): Promise<tfl.LayersModel> {
  if (cli.resume) {
    const { dir } = await readCheckpoint(checkpointPath(out, 'last'));
    const { model, metadata } = await loadModel(dir); // frozen layers come back frozen
    if (!sameLabels(metadata.labels, classes)) {
      model.dispose();
      throw new TrainDataError('--data', `its classes (${classes.join(', ')}) are not the checkpoint's (${metadata.labels?.join(', ')})`);
    }
    return model;
  }
  let model: tfl.LayersModel;
  const options = { inputSize, ...(args.width !== null && { widthMultiplier: args.width }), ...(args.block !== null && { block: args.block }) };
  if (args.pretrained) {
    const pretrained = await loadPretrained(args.pretrained, args.model, options);
    model = sameLabels(pretrained.labels, classes) ? pretrained.model : replaceHead(pretrained.model, classes.length);
  } else {
    model = createModel(args.model, { numClasses: classes.length, ...options });
  }
  if (args.freezeUpTo !== null) {
    try {
      freeze(model, { upTo: args.freezeUpTo });
    } catch (err) {
      model.dispose();
      throw new TrainConfigError('--freeze-up-to', (err as Error).message.replace(/^freeze\.upTo: /, ''), { cause: err });
    }
  } else if (args.freeze) freeze(model);
  return model;
}

/** The zoo's atomic file writer: a reader never sees half of run.json or curves.svg. */
const writeWhole = (path: string, text: string) => writeFileAtomic(path, text, { overwrite: true });

/** The CLI: returns the exit code (0 done, 1 error, 130 stopped by Ctrl-C after writing last/). */
export async function runCli(argv: string[]): Promise<number> {
  const cli = parseCli(argv);
  if (cli.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!cli.out) throw new TrainConfigError('--out', 'where should checkpoints and logs go?');
  const out = cli.out;
  const args = await runArgs(cli, out);
  if (!listModels().includes(args.model)) throw new TrainConfigError('--model', `unknown model '${args.model}'; mobilenets-summary --list lists them`);
  const backend = await initBackend(cli.backend, { ...(cli.threads && { threads: cli.threads }) });
  const data = await openData(args);
  const classes = data.train.classes;
  const model = await buildModel(cli, args, out, classes, data.inputSize);
  try {
    if (cli.overwrite) for (const f of RUN_FILES) await rm(join(out, f), { recursive: true, force: true });
    await mkdir(out, { recursive: true });
    if (!cli.resume) await writeWhole(join(out, RUN_JSON), `${JSON.stringify(args, null, 2)}\n`);

    const train = loader(data.train, { batchSize: args.batchSize, shuffle: true, seed: args.seed });
    const val = data.val && loader(data.val, { batchSize: args.batchSize });
    const cost = summarize(model).totals;
    const log = (entry: object) => appendFile(join(out, LOG), `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
    await log({ type: 'start', resume: cli.resume, args, backend, params: cost.trainableParams, macs: cost.macs, train: data.train.size, val: data.val?.size ?? 0 });

    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(130); // a second Ctrl-C: last/ is either old or new, never torn
      process.stderr.write('\nmobilenets-train: stopping after this step and writing last/ (Ctrl-C again to quit now)\n');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    const progress = new EpochProgress(args.epochs);
    const started = performance.now();
    let previous = started;
    let history: History;
    try {
      history = await fit(model, train, {
        epochs: args.epochs,
        optimizer: optimizerOf(args),
        schedule: scheduleOf(args, train.batchesPerEpoch),
        labelSmoothing: args.labelSmoothing,
        ...(args.ema !== null && { ema: args.ema }),
        ...(val && { valData: val }),
        checkpoint: { dir: out, labels: [...classes], preprocessing: data.preprocessing, dataset: data.dataset },
        resume: cli.resume,
        signal: controller.signal,
        seed: args.seed,
        callbacks: {
          onEpochBegin: (epoch, batches) => progress.start(epoch, batches),
          onBatchEnd: (b) => {
            progress.update(b);
            const now = performance.now();
            const batchCost = (now - previous) / 1000;
            previous = now;
            const left = (args.epochs - b.epoch) * b.batches + (b.batches - b.batch);
            if (b.batch % Math.max(1, Math.floor(b.batches / 20)) === 0 || b.batch === b.batches) {
              void log({ type: 'batch', ...b, batchCost, eta: Math.round(left * batchCost) });
            }
          },
          onEpochEnd: async (record) => {
            progress.stop();
            await log({ type: 'epoch', ...record });
            const val = record.val ? ` | val loss ${record.val.loss.toFixed(4)} top-1 ${(record.val.top1 * 100).toFixed(2)}%` : '';
            const ema = record.emaVal ? ` | EMA val top-1 ${(record.emaVal.top1 * 100).toFixed(2)}%` : '';
            process.stderr.write(
              `epoch ${record.epoch}/${args.epochs}: train loss ${record.train.loss.toFixed(4)} top-1 ${(record.train.top1 * 100).toFixed(2)}%${val}${ema} | ${record.imagesPerSecond.toFixed(0)} img/s, ${record.seconds.toFixed(1)} s\n`,
            );
          },
        },
      });
    } finally {
      progress.stop();
      process.off('SIGINT', onSigint);
    }
    await writeWhole(join(out, CURVES), curvesSvg(history.epochs, `${args.model} on ${args.data}`));
    const summary: RunSummary = {
      model: args.model,
      data: data.dataset,
      trainImages: data.train.size,
      val: data.valSource,
      valImages: data.val?.size ?? 0,
      params: cost.trainableParams,
      macs: cost.macs,
      backend: `${backend.name}${backend.name === 'wasm' ? ` (${backend.threads} threads)` : ''}`,
      seconds: (performance.now() - started) / 1000,
      out,
      classes: [...classes],
      history,
    };
    await log({ type: 'end', best: history.best, stopped: history.stopped, seconds: summary.seconds });
    process.stdout.write(cli.format === 'json' ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
    if (history.stopped) {
      process.stderr.write(`mobilenets-train: stopped by Ctrl-C; ${checkpointPath(out, 'last')} holds the run so far — continue with --resume --out ${out}\n`);
      return 130;
    }
    return 0;
  } finally {
    model.dispose();
  }
}

/** Errors that are the user's input, printed without a stack trace unless --verbose. */
export function isInputError(err: unknown): boolean {
  return [TrainConfigError, TrainDataError, CheckpointError, PretrainedMismatchError, ModelConfigError].some((E) => err instanceof E);
}
