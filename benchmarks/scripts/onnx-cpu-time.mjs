// CPU time per batch-1 image of our ONNX export and torchvision's on onnxruntime-node, one intra-op thread each,
// alternated: a measure a shared machine's load hardly moves (wall-clock latency there swings ±30%). Needs the
// torchvision exports the bench writes to $TMPDIR/mobilenets-onnx-v1 and the built packages. Run from benchmarks/:
// node scripts/onnx-cpu-time.mjs mobilenetv2_100 mobilenext_100
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportOnnx, loadOnnxRuntime } from '@mobilenets/infer';
import { initBackend } from '@mobilenets/ops';
import { createModel } from '@mobilenets/zoo';
await initBackend('cpu');
const ort = await loadOnnxRuntime();
for (const name of process.argv.slice(2)) {
  const o = { intraOpNumThreads: 1, interOpNumThreads: 1 };
  const ours = await ort.InferenceSession.create(await exportOnnx(createModel(name)), o);
  const theirs = await ort.InferenceSession.create(`${join(tmpdir(), 'mobilenets-onnx-v1')}/${name}.onnx`, o);
  const x = new ort.Tensor('float32', Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i)), [1, 3, 224, 224]);
  const cpu = { ours: 0, theirs: 0 };
  for (let i = 0; i < 5; i++) { await ours.run({ input: x }); await theirs.run({ x }); }
  for (let i = 0; i < 100; i++) for (const [k, s, n] of [['ours', ours, 'input'], ['theirs', theirs, 'x']]) { const c = process.cpuUsage(); await s.run({ [n]: x }); const d = process.cpuUsage(c); cpu[k] += (d.user + d.system) / 1000; }
  console.log(`${name}: CPU ms per image ours ${(cpu.ours / 100).toFixed(2)}, torchvision's ${(cpu.theirs / 100).toFixed(2)}, × ${(cpu.theirs / cpu.ours).toFixed(2)}`);
}
