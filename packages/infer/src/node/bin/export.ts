#!/usr/bin/env node
import { parseArgs } from 'node:util';
import type { BackendName } from '@mobilenets/ops';
import { OPSET } from '../../onnx/proto.js';
import { QUANTIZATIONS } from '../../quantize/codecs.js';
import { count, oneOf, runCli, UsageError } from './common.js';

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
  const backend = oneOf<BackendName>('backend', values.backend, ['wasm', 'cpu', 'webgpu', 'tensorflow']) ?? 'wasm';
  // tfjs, sharp and onnx load only now: --help and usage errors answer at once.
  const { runExport } = await import('./run-export.js');
  return runExport({ dir, onnx: values.onnx, out: values.out, quantize, check: values.check ?? (quantize ? 'fashion-mnist' : undefined), checkCount, backend, overwrite: values.overwrite });
}

runCli('mobilenets-export', HELP, main);
