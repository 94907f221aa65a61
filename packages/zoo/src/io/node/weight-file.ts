import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { ModelFileError } from '../../errors.js';
import { readKerasH5 } from './h5-file.js';
import { type PickleContainer, readPickleFile } from '../pickle-file.js';
import { readRegularFile } from './read-file.js';
import { type RawTensor, readSafetensors } from '../safetensors.js';

/** What a weight file is, told by its first bytes. */
export type WeightContainer = 'safetensors' | PickleContainer | 'hdf5';

export interface WeightFile {
  container: WeightContainer;
  /** Floating-point tensors as float32, in the file's own layout, by key. */
  tensors: Map<string, RawTensor>;
  /** Keys of integer tensors (BatchNorm's num_batches_tracked), not read. */
  skipped: string[];
}

/** Pickle-based weight files of the MobileNets are tens of MB; a larger one is refused before it is read. */
const FILE_LIMIT = 2 ** 31;
const HDF5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

async function head(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new ModelFileError(path, `cannot read it (${err.code ?? String(err)})`, { cause: err });
  });
  try {
    const bytes = new Uint8Array(16);
    const { bytesRead } = await handle.read(bytes, 0, 16, 0);
    return bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The container by content: zip `PK\x03\x04` (torch.save), a pickle `\x80` (legacy torch.save, .pdparams), HDF5, safetensors (a length, then `{`). */
function sniff(bytes: Uint8Array): WeightContainer | undefined {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'torch-zip';
  if (bytes[0] === 0x80 && bytes[1]! >= 2 && bytes[1]! <= 5) return 'pickle';
  if (HDF5.every((b, i) => bytes[i] === b)) return 'hdf5';
  if (bytes.length > 8 && bytes[8] === 0x7b && bytes[6] === 0 && bytes[7] === 0) return 'safetensors';
  return undefined;
}

/**
 * Reads a weight file of any format the zoo knows, telling them apart by content (the extension only shapes the
 * error): safetensors, torch.save (.pth / .pt, zip or legacy), Paddle's .pdparams, Keras's .h5.
 */
export async function readWeightFile(path: string): Promise<WeightFile> {
  const kind = sniff(await head(path));
  if (kind === 'safetensors') return { container: kind, ...(await readSafetensors(path)) };
  if (kind === 'hdf5') return { container: kind, tensors: await readKerasH5(path), skipped: [] };
  if (kind) return readPickleFile(path, await readRegularFile(path, FILE_LIMIT));
  if (extname(path) === '.safetensors') return { container: 'safetensors', ...(await readSafetensors(path)) }; // its own, precise error
  const ext = extname(path) || 'no extension';
  throw new ModelFileError(
    path,
    `is not a weight file the zoo reads (${ext}): not safetensors, a torch.save zip or pickle (.pth, .pt), a Paddle pickle (.pdparams) or Keras HDF5 (.h5)`,
  );
}
