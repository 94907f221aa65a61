import { ModelFileError } from '../errors.js';
import { unpickle } from './pickle.js';
import { NumpyArray, type StorageRef, StorageType, TorchTensor, numpyValues, stateDictGlobals, torchTensorValues } from './pickled-tensors.js';
import type { RawTensor } from './safetensors.js';
import { DTYPE_BYTES } from './safetensors-header.js';
import { zipEntries, zipEntryData } from './zip.js';

/** Which pickle-based container a file is. */
export type PickleContainer = 'torch-zip' | 'torch-legacy' | 'pickle';

export interface PickledWeights {
  container: PickleContainer;
  /** Floating-point tensors as float32, by their key in the state_dict. */
  tensors: Map<string, RawTensor>;
  /** Keys of integer tensors (BatchNorm's num_batches_tracked), not read. */
  skipped: string[];
}

/** torch.save's first pickle in its legacy (non-zip) format. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
/** Wrappers of a state_dict in checkpoints (torch.save({'state_dict': …}), timm's and torchvision's references' {'model': …}). */
const WRAPPERS = ['state_dict', 'model'];
/** Prefixes every key of a wrapped model's state_dict carries: DataParallel / DDP (`module.`), torch.compile (`_orig_mod.`). */
const PREFIXES = ['module.', '_orig_mod.'];
/** Paddle's bookkeeping entries beside the arrays of `paddle.save(state_dict)`. */
const PADDLE_METADATA = 'StructuredToParameterName@@';

const describe = (v: unknown) => (v instanceof Map ? 'a dict' : Array.isArray(v) ? 'a list or tuple' : v === null ? 'None' : v instanceof Uint8Array ? 'bytes' : typeof v);
const isTensor = (v: unknown) => v instanceof TorchTensor || v instanceof NumpyArray;

/** The state_dict inside what a file pickled: the dict itself, or under 'state_dict' / 'model', without `module.` prefixes. */
function stateDict(path: string, root: unknown, depth = 0): Map<string, unknown> {
  if (!(root instanceof Map)) throw new ModelFileError(path, `holds ${describe(root)}, not a state_dict (a dict of tensors)`);
  const entries = [...root].filter(([k]) => k !== PADDLE_METADATA);
  if (entries.length > 0 && entries.every(([, v]) => isTensor(v))) {
    let dict = new Map(entries.map(([k, v]) => [String(k), v]));
    for (const prefix of PREFIXES) {
      if ([...dict.keys()].every((k) => k.startsWith(prefix))) dict = new Map([...dict].map(([k, v]) => [k.slice(prefix.length), v]));
    }
    return dict;
  }
  // Two levels at most ({'model': {'state_dict': …}}): a pickle can make a dict hold itself.
  for (const key of WRAPPERS) if (depth < 2 && root.get(key) instanceof Map) return stateDict(path, root.get(key), depth + 1);
  const bad = entries.find(([, v]) => !isTensor(v));
  const keys = entries.slice(0, 8).map(([k]) => String(k));
  throw new ModelFileError(
    path,
    `holds no state_dict: '${String(bad?.[0])}' is ${describe(bad?.[1])}, not a tensor, and no '${WRAPPERS.join("' or '")}' entry holds one (keys: ${keys.join(', ')}${entries.length > 8 ? ', …' : ''})`,
  );
}

/** A persistent id of torch.save: ('storage', StorageClass, key, location, numel[, view metadata (legacy)]). */
function storageRef(pid: unknown): StorageRef {
  if (!Array.isArray(pid) || pid[0] !== 'storage' || !(pid[1] instanceof StorageType) || typeof pid[2] !== 'string' || !Number.isSafeInteger(pid[4])) {
    throw new TypeError('a persistent id that is not a storage');
  }
  const [, type, key, , numel, view] = pid as [string, StorageType, string, string, number, unknown];
  if (Array.isArray(view)) {
    const [, offset, size] = view as [string, number, number];
    return { key, dtype: type.dtype, offset, numel: size };
  }
  return { key, dtype: type.dtype, offset: 0, numel };
}

function readTensors(path: string, dict: Map<string, unknown>, storageBytes: (s: StorageRef) => Uint8Array): Omit<PickledWeights, 'container'> {
  const tensors = new Map<string, RawTensor>();
  const skipped: string[] = [];
  const cache = new Map<StorageRef, Float32Array | null>();
  for (const [key, value] of dict) {
    let t: RawTensor | null;
    try {
      t = value instanceof TorchTensor ? torchTensorValues(value, storageBytes, cache) : numpyValues(value as NumpyArray);
    } catch (err) {
      if (err instanceof ModelFileError) throw err;
      throw new ModelFileError(path, `tensor ${key}: ${(err as Error).message}`, { cause: err });
    }
    if (t) tensors.set(key, t);
    else skipped.push(key);
  }
  return { tensors, skipped };
}

function readZip(path: string, file: Uint8Array): PickledWeights {
  const entries = zipEntries(path, file);
  const pkl = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pkl.length !== 1) throw new ModelFileError(path, `is a zip, but not one torch.save wrote: ${pkl.length === 0 ? 'no <archive>/data.pkl' : 'several data.pkl'}`);
  const root = pkl[0]!.slice(0, -'data.pkl'.length);
  const byteorder = entries.get(`${root}byteorder`);
  if (byteorder && new TextDecoder().decode(zipEntryData(path, file, byteorder)) !== 'little') throw new ModelFileError(path, 'holds big-endian tensors, which are not read');
  const { value } = unpickle(path, zipEntryData(path, file, entries.get(pkl[0]!)!), { globals: stateDictGlobals(), persistentLoad: storageRef });
  return {
    container: 'torch-zip',
    ...readTensors(path, stateDict(path, value), (s) => {
      const entry = entries.get(`${root}data/${s.key}`);
      if (!entry) throw new ModelFileError(path, `storage ${s.key} is missing (no ${root}data/${s.key})`);
      return zipEntryData(path, file, entry);
    }),
  };
}

/**
 * torch.save's legacy format (`_use_new_zipfile_serialization=False`): pickles of the magic number, the protocol
 * version and sys_info, then the object, then the list of storage keys, then each storage as an int64 element
 * count and its bytes.
 */
function readLegacy(path: string, file: Uint8Array, afterMagic: number): PickledWeights {
  const globals = stateDictGlobals();
  let at = afterMagic;
  for (let i = 0; i < 2; i++) at = unpickle(path, file, { globals, offset: at }).end; // protocol version, sys_info
  const refs = new Map<string, StorageRef>();
  const main = unpickle(path, file, {
    globals,
    offset: at,
    persistentLoad: (pid) => {
      const ref = storageRef(pid);
      refs.set(ref.key, ref);
      return ref;
    },
  });
  const keys = unpickle(path, file, { globals, offset: main.end });
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) throw new ModelFileError(path, 'legacy torch.save file: the storage key list is missing');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const storages = new Map<string, Uint8Array>();
  at = keys.end;
  for (const key of keys.value as string[]) {
    const ref = refs.get(key);
    if (!ref) throw new ModelFileError(path, `legacy torch.save file: storage ${key} is listed but never used`);
    if (at + 8 > file.length) throw new ModelFileError(path, `legacy torch.save file: storage ${key} at byte ${at} is cut off (a truncated file?)`);
    const numel = Number(view.getBigInt64(at, true));
    const end = at + 8 + numel * DTYPE_BYTES[ref.dtype]!;
    if (numel < 0 || end > file.length) throw new ModelFileError(path, `legacy torch.save file: storage ${key} at byte ${at} needs ${end - at} bytes, ${file.length - at} left (a truncated file?)`);
    storages.set(key, file.subarray(at + 8, end));
    at = end;
  }
  return {
    container: 'torch-legacy',
    ...readTensors(path, stateDict(path, main.value), (s) => {
      const bytes = storages.get(s.key);
      if (!bytes) throw new ModelFileError(path, `storage ${s.key} is not in the file`);
      return bytes;
    }),
  };
}

/**
 * The state_dict of a pickle-based weight file, read without executing anything: torch.save's zip format
 * (PyTorch ≥ 1.6) and legacy format, or a plain pickle of numpy arrays (Paddle's .pdparams). A global outside the
 * allow-list is an UnsafePickleError naming it; every other problem a ModelFileError naming the key or offset.
 */
export function readPickleFile(path: string, file: Uint8Array): PickledWeights {
  if (file[0] === 0x50 && file[1] === 0x4b) return readZip(path, file);
  const first = unpickle(path, file, { globals: stateDictGlobals() });
  if (first.value === LEGACY_MAGIC) return readLegacy(path, file, first.end);
  if (first.end !== file.length) throw new ModelFileError(path, `${file.length - first.end} bytes follow the pickle`);
  return { container: 'pickle', ...readTensors(path, stateDict(path, first.value), () => new Uint8Array(0)) };
}
