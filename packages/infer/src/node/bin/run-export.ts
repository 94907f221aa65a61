import { type BackendName, initBackend } from '@mobilenets/ops';
import { loadModel, writeFileAtomic } from '@mobilenets/zoo';
import { loadClassifier } from '../../classifier.js';
import type { ImageInput } from '../../input.js';
import { ONNX_METADATA_KEY } from '../../model/node/load.js';
import { checkOnnx } from '../../onnx/check.js';
import { exportOnnx } from '../../onnx/export.js';
import { OPSET } from '../../onnx/proto.js';
import { type Agreement, measureAgreement } from '../../quantize/agreement.js';
import type { Quantization } from '../../quantize/codecs.js';
import { fashionMnistTest } from '../../quantize/held-out.js';
import { quantizeModelDir } from '../../quantize/node/model-dir.js';
import { UsageError } from './common.js';
import { expandInputs } from './files.js';

/** What mobilenets-export was asked to do, its flags checked. */
export interface ExportRequest {
  dir: string;
  onnx?: string;
  out?: string;
  quantize?: Quantization;
  /** The held-out set to measure the top-1 agreement on (see --check). */
  check?: string;
  checkCount: number;
  backend: BackendName;
  overwrite: boolean;
}

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

/** Writes what the request asks for, then measures the agreement on the held-out set; the exit code. */
export async function runExport(r: ExportRequest): Promise<number> {
  await initBackend(r.backend);
  const written: { path: string; runtime: 'tfjs' | 'onnxruntime' }[] = [];
  if (r.onnx) {
    const { model, metadata } = await loadModel(r.dir);
    const { name, options, preprocessing, labels } = metadata;
    let onnx: Uint8Array;
    try {
      onnx = await exportOnnx(model, { embedding: true, ...(r.quantize && { quantize: r.quantize }), metadata: { [ONNX_METADATA_KEY]: JSON.stringify({ name, options, preprocessing, labels }) } });
    } finally {
      model.dispose();
    }
    const problems = checkOnnx(onnx);
    if (problems.length > 0) throw new Error(`the exported graph fails the structural checks: ${problems.join('; ')}`);
    await writeFileAtomic(r.onnx, onnx, { overwrite: r.overwrite });
    process.stdout.write(`wrote ${r.onnx}: ONNX opset ${OPSET}, ${MB(onnx.length)}, ${r.quantize ?? 'float32'} weights\n`);
    written.push({ path: r.onnx, runtime: 'onnxruntime' });
  }
  if (r.out && r.quantize) {
    const q = await quantizeModelDir(r.dir, r.out, r.quantize, { overwrite: r.overwrite });
    process.stdout.write(`wrote ${r.out}: ${q.quantized} of ${q.total} weights as ${r.quantize}, ${MB(q.bytesBefore)} → ${MB(q.bytesAfter)}\n`);
    written.push({ path: r.out, runtime: 'tfjs' });
  }

  if (r.check) {
    const set = await heldOut(r.check, r.checkCount);
    const reference = await loadClassifier(r.dir, { runtime: 'tfjs' });
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
