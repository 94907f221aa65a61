#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { type BackendName, initBackend } from '@mobilenets/ops';
import { loadModel, writeFileAtomic } from '@mobilenets/zoo';
import { loadClassifier } from '../classifier.js';
import type { ImageInput } from '../input.js';
import { ONNX_METADATA_KEY } from '../model/load.js';
import { checkOnnx } from '../onnx/check.js';
import { exportOnnx } from '../onnx/export.js';
import { OPSET } from '../onnx/proto.js';
import { type Agreement, measureAgreement } from '../quantize/agreement.js';
import { QUANTIZATIONS } from '../quantize/codecs.js';
import { fashionMnistTest } from '../quantize/held-out.js';
import { quantizeModelDir } from '../quantize/model-dir.js';
import { count, oneOf, runCli, UsageError } from './common.js';
import { expandInputs } from './files.js';

const HELP = `Usage: mobilenets-export <model dir> --onnx OUT.onnx [--quantize float16|uint8] [--check SET]
       mobilenets-export <model dir> --out DIR --quantize float16|uint8 [--check SET]

Writes a saved model as an ONNX file (opset ${OPSET}; NCHW float32 input 'input', outputs 'logits' and
'embedding'; BatchNorm folded into the convolutions; mobilenets.json kept in its metadata, so
mobilenets-predict and loadClassifier read its preprocessing and labels), and/or as a model directory with
smaller weights. With --quantize, the ONNX weights are stored as float16 (behind a Cast) or uint8 per output
channel (behind a DequantizeLinear), and a model directory's kernels as tfjs float16 or uint8; then the
top-1 agreement with the float32 model is measured on a held-out set and printed. Outputs are written whole
or not at all; an existing file is replaced only with --overwrite.

Options:
  --onnx FILE       write the ONNX model here
  --out DIR         write a quantized model directory here (needs --quantize)
  --quantize Q      float16 or uint8
  --check SET       the held-out set: fashion-mnist[:DIR] (Debian's dataset-fashion-mnist by default; test split,
                    with labels: accuracies printed too) or image files / folders / globs. Default with
                    --quantize: fashion-mnist
  --check-count N   images of the set to use (default 1000)
  --overwrite       replace an existing --onnx file, or whatever is at --out (a model directory there is
                    replaced without it)
  --backend B       tfjs backend that reads the model: wasm (default), cpu, webgpu, tensorflow
  --verbose         print stack traces of errors
  -h, --help        this text

Examples:
  mobilenets-export ./flowers-model --onnx flowers.onnx
  mobilenets-export ./flowers-model --onnx flowers-uint8.onnx --quantize uint8 --check photos/
  mobilenets-export ./flowers-model --out ./flowers-fp16 --quantize float16
`;

const MB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MB`;
const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

async function heldOut(spec: string, n: number): Promise<{ name: string; images: ImageInput[]; labels?: number[] }> {
  if (spec === 'fashion-mnist' || spec.startsWith('fashion-mnist:')) return fashionMnistTest(n, spec.split(':')[1]);
  const files = (await expandInputs(spec.split(','))).slice(0, n);
  if (files.length === 0) throw new UsageError(`--check: no images in ${spec}`);
  return { name: `images of ${spec}`, images: files };
}

function describeAgreement(what: string, set: { name: string; images: unknown[] }, a: Agreement): string {
  const accuracy = a.accuracy ? ` (top-1 accuracy ${pct(a.accuracy.reference)} → ${pct(a.accuracy.candidate)})` : '';
  const unread = set.images.length - a.images;
  return `${what}: top-1 agrees with the float32 model on ${pct(a.top1)} of ${a.images} ${set.name}${unread ? ` (${unread} unreadable, left out)` : ''}${accuracy}\n`;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      onnx: { type: 'string' },
      out: { type: 'string' },
      quantize: { type: 'string' },
      check: { type: 'string' },
      'check-count': { type: 'string' },
      backend: { type: 'string' },
      overwrite: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [dir, ...rest] = positionals;
  if (!dir || rest.length > 0) throw new UsageError(dir ? `one model directory at a time, got ${positionals.join(' ')}` : 'which model directory?');
  const quantize = oneOf('quantize', values.quantize, QUANTIZATIONS);
  if (!values.onnx && !values.out) throw new UsageError('nothing to write: give --onnx FILE and/or --out DIR');
  if (values.out && !quantize) throw new UsageError('--out writes a quantized model directory: give --quantize float16|uint8');
  const checkCount = count('check-count', values['check-count'], 1000);
  await initBackend(oneOf<BackendName>('backend', values.backend, ['wasm', 'cpu', 'webgpu', 'tensorflow']) ?? 'wasm');

  const written: { path: string; runtime: 'tfjs' | 'onnxruntime' }[] = [];
  if (values.onnx) {
    const { model, metadata } = await loadModel(dir);
    const { name, options, preprocessing, labels } = metadata;
    let onnx: Uint8Array;
    try {
      onnx = await exportOnnx(model, { embedding: true, ...(quantize && { quantize }), metadata: { [ONNX_METADATA_KEY]: JSON.stringify({ name, options, preprocessing, labels }) } });
    } finally {
      model.dispose();
    }
    const problems = checkOnnx(onnx);
    if (problems.length > 0) throw new Error(`the exported graph fails the structural checks: ${problems.join('; ')}`);
    await writeFileAtomic(values.onnx, onnx, { overwrite: values.overwrite });
    process.stdout.write(`wrote ${values.onnx}: ONNX opset ${OPSET}, ${MB(onnx.length)}, ${quantize ?? 'float32'} weights\n`);
    written.push({ path: values.onnx, runtime: 'onnxruntime' });
  }
  if (values.out && quantize) {
    const r = await quantizeModelDir(dir, values.out, quantize, { overwrite: values.overwrite });
    process.stdout.write(`wrote ${values.out}: ${r.quantized} of ${r.total} weights as ${quantize}, ${MB(r.bytesBefore)} → ${MB(r.bytesAfter)}\n`);
    written.push({ path: values.out, runtime: 'tfjs' });
  }

  const check = values.check ?? (quantize ? 'fashion-mnist' : undefined);
  if (check) {
    const set = await heldOut(check, checkCount);
    const reference = await loadClassifier(dir, { runtime: 'tfjs' });
    try {
      for (const w of written) {
        const candidate = await loadClassifier(w.path, { runtime: w.runtime });
        try {
          process.stdout.write(describeAgreement(w.path, set, await measureAgreement(reference, candidate, set.images, set.labels)));
        } finally {
          await candidate.dispose();
        }
      }
    } finally {
      await reference.dispose();
    }
  }
  return 0;
}

runCli('mobilenets-export', HELP, main);
