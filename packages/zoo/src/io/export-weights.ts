import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelConfigError } from '../errors.js';
import { type WriteOptions, writeFileAtomic } from './node/atomic.js';
import { toTorchLayout } from './layout.js';
import { KEY_MAPS, mappableSpec } from './node/load-weights.js';

export interface ExportWeightsOptions extends Pick<WriteOptions, 'overwrite'> {
  /** Whose state_dict to write: torchvision's (MobileNetV2, V3) or timm's (MobileNetV1, V2, V3, V4) key names. */
  format: 'torchvision' | 'timm';
}

export interface SafetensorsEntry {
  key: string;
  dtype: 'F32' | 'I64';
  shape: number[];
  bytes: Uint8Array;
}

/** A safetensors file: an 8-byte header length, the JSON header padded with spaces to 8 bytes, then the tensors. */
export function encodeSafetensors(entries: SafetensorsEntry[]): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const e of entries) {
    header[e.key] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.bytes.length] };
    offset += e.bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const text = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + text.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  let at = 8 + text.length;
  for (const e of entries) {
    out.set(e.bytes, at);
    at += e.bytes.length;
  }
  return out;
}

/**
 * Writes a model's weights as a PyTorch state_dict in safetensors, with torchvision's or timm's key names and
 * layouts, so that `model.load_state_dict(tensors, strict=True)` takes it: every parameter and BatchNorm statistic,
 * plus each BatchNorm's `num_batches_tracked` (int64, 0). Through writeFileAtomic: an existing file is replaced
 * only with `overwrite`. Resolves to the absolute path written.
 */
export async function exportWeights(model: tfl.LayersModel, path: string, options: ExportWeightsOptions): Promise<string> {
  const { format } = options;
  if (format !== 'torchvision' && format !== 'timm') throw new ModelConfigError(`exportWeights writes torchvision or timm state_dicts, not ${String(format)}`);
  const sources = KEY_MAPS[format](model, mappableSpec(model, format));
  const entries: SafetensorsEntry[] = [];
  for (const w of model.weights) {
    const source = sources.get(w.originalName)!;
    if (source.layout === 'same' || source.layout === 'squeeze') throw new ModelConfigError(`${w.originalName}: ${source.layout} is not a PyTorch layout`);
    const t = toTorchLayout({ shape: w.shape as number[], values: (await w.read().data()) as Float32Array }, source.layout);
    const values = Float32Array.from(t.values); // little-endian on every platform tfjs runs on
    entries.push({ key: source.key, dtype: 'F32', shape: t.shape, bytes: new Uint8Array(values.buffer) });
    if (source.key.endsWith('.running_var')) {
      entries.push({ key: source.key.replace(/running_var$/, 'num_batches_tracked'), dtype: 'I64', shape: [], bytes: new Uint8Array(8) });
    }
  }
  return writeFileAtomic(path, encodeSafetensors(entries), { overwrite: options.overwrite ?? false });
}
