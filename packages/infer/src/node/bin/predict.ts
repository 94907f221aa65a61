#!/usr/bin/env node
import { parseArgs } from 'node:util';
import type { BackendName } from '@mobilenets/ops';
import type { Runtime } from '../../classifier.js';
import { isFailed } from '../../predictions.js';
import { count, oneOf, runCli, UsageError } from './common.js';
import { expandInputs } from './files.js';
import { FORMATS, formatter, progressBar } from './format.js';

const HELP = `Usage: mobilenets-predict <image|folder|glob>... --model MODEL [options]

Classifies images with a saved model: its preprocessing and class names come from the model's
mobilenets.json. A folder is read recursively (.jpg .jpeg .png .webp .tif .tiff .gif .avif) and streamed in
batches with a progress bar on stderr (shown on a terminal only); results go to stdout. An image that cannot
be read is reported with its reason and the run goes on; the exit code is 1 if any image failed.

Options:
  --model M         a model directory, an .onnx file from mobilenets-export, or a registry name
  --topk N          classes per image (default 5)
  --format F        table (default), json (one prediction object per line) or csv
  --runtime R       tfjs (default; onnxruntime for an .onnx file) or onnxruntime (needs onnxruntime-node)
  --batch-size N    images per batch (default 32)
  --backend B       tfjs backend: auto, wasm, cpu, webgpu, tensorflow (default auto)
  --threads N       wasm or onnxruntime threads
  --verbose         print stack traces of errors
  -h, --help        this text

Examples:
  mobilenets-predict cat.jpg --model ./flowers-model
  mobilenets-predict photos/ --model ./flowers-model --runtime onnxruntime --format csv > predictions.csv
  mobilenets-predict 'photos/**/*.png' --model model.onnx --topk 1 --format json
`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      topk: { type: 'string' },
      format: { type: 'string' },
      runtime: { type: 'string' },
      'batch-size': { type: 'string' },
      backend: { type: 'string' },
      threads: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.model) throw new UsageError('which model? (--model DIR)');
  if (positionals.length === 0) throw new UsageError('which images? (files, folders or globs)');
  const topk = count('topk', values.topk, 5);
  const batchSize = count('batch-size', values['batch-size'], 32);
  const format = oneOf('format', values.format, FORMATS) ?? 'table';
  const runtime = oneOf<Runtime>('runtime', values.runtime, ['tfjs', 'onnxruntime']);
  const backend = oneOf<BackendName | 'auto'>('backend', values.backend, ['auto', 'wasm', 'cpu', 'webgpu', 'tensorflow']);
  const threads = values.threads === undefined ? undefined : count('threads', values.threads, 1);

  const files = await expandInputs(positionals);
  if (files.length === 0) throw new UsageError(`no images in ${positionals.join(' ')}`);
  // tfjs, sharp and onnx load only now: --help and usage errors answer at once.
  const { loadClassifier } = await import('../../classifier.js');
  const classifier = await loadClassifier(values.model, { ...(runtime && { runtime }), ...(backend && { backend }), ...(threads && { threads }) });
  const out = formatter(format, Math.max(...files.map((f) => f.length)));
  const progress = progressBar(files.length);
  process.stdout.write(out.header());
  let failed = 0;
  const started = performance.now();
  try {
    for (let start = 0; start < files.length; start += batchSize) {
      const results = await classifier.classify(files.slice(start, start + batchSize), { topk, batchSize });
      progress.end();
      for (const r of results) {
        if (isFailed(r)) failed++;
        process.stdout.write(out.lines(r));
      }
      progress.update(Math.min(start + batchSize, files.length));
    }
  } finally {
    progress.end();
    await classifier.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`${files.length - failed} images classified, ${failed} failed, in ${seconds.toFixed(1)} s (${classifier.info.engine})\n`);
  return failed > 0 ? 1 : 0;
}

runCli('mobilenets-predict', HELP, main);
