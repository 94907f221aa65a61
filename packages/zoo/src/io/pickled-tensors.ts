import { toFloat32 } from './floats.js';
import { BYTES_GLOBALS, type Buildable, PyGlobal, asBytes } from './pickle.js';
import { permute } from './layout.js';
import type { RawTensor } from './safetensors.js';
import { DTYPE_BYTES } from './safetensors-header.js';

/*
 * The Python globals a pickled state_dict needs, as plain TypeScript: PyTorch's (torch.save, PyTorch 1.x and 2.x:
 * tensors rebuilt from storages by `_rebuild_tensor_v2`, OrderedDict) and numpy's (Paddle's .pdparams: arrays
 * rebuilt by `_reconstruct` + BUILD). They record what the file describes; none of them runs anything.
 */

/** A storage of a torch.save file: its key (the zip entry `data/<key>`, or the legacy file's record) and element type. */
export interface StorageRef {
  key: string;
  /** safetensors dtype names: F32, F16, BF16, F64, I64, … */
  dtype: string;
  /** The first element (legacy files' storage views) and the element count. */
  offset: number;
  numel: number;
}

/** A tensor of a torch.save file, not read yet: a strided view of a storage. */
export class TorchTensor {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

/** The storage classes a persistent id names, by their element type. */
export const STORAGE_TYPES: Record<string, string> = {
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

export class StorageType extends PyGlobal {
  constructor(
    name: string,
    readonly dtype: string,
  ) {
    super(name);
  }
}

class NumpyDType implements Buildable {
  order = '|';
  constructor(readonly descr: string) {}
  setState(state: unknown): void {
    if (!Array.isArray(state) || typeof state[1] !== 'string') throw new TypeError('numpy.dtype: unexpected state');
    this.order = state[1];
  }
}

/** A numpy array from `_reconstruct` + BUILD (what ndarray.__reduce__ writes at protocols 2 to 4). */
export class NumpyArray implements Buildable {
  shape: number[] = [];
  dtype: NumpyDType | undefined;
  fortran = false;
  data: Uint8Array | undefined;
  setState(state: unknown): void {
    const s = Array.isArray(state) && state.length === 5 ? state.slice(1) : state; // (version, shape, dtype, is_fortran, data)
    if (!Array.isArray(s) || s.length !== 4) throw new TypeError('numpy.ndarray: unexpected state');
    const [shape, dtype, fortran, data] = s;
    if (!isIndexList(shape) || !(dtype instanceof NumpyDType) || typeof fortran !== 'boolean') throw new TypeError('numpy.ndarray: unexpected state');
    const bytes = asBytes(data);
    if (!bytes) throw new TypeError('numpy.ndarray: only arrays of numbers are read (this one holds Python objects)');
    Object.assign(this, { shape, dtype, fortran, data: bytes });
  }
}

const isIndexList = (v: unknown): v is number[] => Array.isArray(v) && v.every((n) => Number.isSafeInteger(n) && n >= 0);

function rebuildTensor([storage, offset, size, stride]: unknown[]): TorchTensor {
  if (!(storage instanceof Object && 'numel' in storage)) throw new TypeError('expects a storage');
  if (!isIndexList([offset]) || !isIndexList(size) || !isIndexList(stride) || size.length !== stride.length) throw new TypeError('expects (storage, offset, size, stride)');
  return new TorchTensor(storage as StorageRef, offset as number, size, stride);
}

const reconstruct = (ndarray: PyGlobal) => (args: unknown[]) => {
  if (args[0] !== ndarray) throw new TypeError('only numpy.ndarray is reconstructed');
  return new NumpyArray();
};

/** Every global a state_dict of PyTorch (1.x, 2.x) or Paddle may name; anything else is refused by the reader. */
export function stateDictGlobals(): Map<string, PyGlobal> {
  const ndarray = new PyGlobal('numpy.ndarray');
  const globals: PyGlobal[] = [
    ...BYTES_GLOBALS,
    new PyGlobal('collections.OrderedDict', (args) => new Map(args.length === 0 ? [] : (args[0] as [unknown, unknown][]))),
    new PyGlobal('torch._utils._rebuild_tensor', rebuildTensor),
    new PyGlobal('torch._utils._rebuild_tensor_v2', rebuildTensor), // (…, requires_grad, backward_hooks[, metadata]): the rest is training state
    new PyGlobal('torch._utils._rebuild_parameter', ([data]) => data),
    new PyGlobal('torch._utils._rebuild_parameter_with_state', ([data]) => data),
    ...Object.entries(STORAGE_TYPES).map(([name, dtype]) => new StorageType(`torch.${name}`, dtype)),
    ndarray,
    new PyGlobal('numpy.core.multiarray._reconstruct', reconstruct(ndarray)),
    new PyGlobal('numpy._core.multiarray._reconstruct', reconstruct(ndarray)), // numpy 2
    new PyGlobal('numpy.dtype', ([descr]) => {
      if (typeof descr !== 'string') throw new TypeError('expects a type string');
      return new NumpyDType(descr);
    }),
  ];
  return new Map(globals.map((g) => [g.name, g]));
}

/** Row-major values from a strided view; every index is checked against the storage first. */
function gather(values: Float32Array, offset: number, shape: number[], stride: number[]): Float32Array {
  const numel = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(numel);
  if (numel === 0) return out;
  const contiguous = shape.every((_, d) => shape[d] === 1 || stride[d] === shape.slice(d + 1).reduce((a, b) => a * b, 1));
  if (contiguous) return values.slice(offset, offset + numel);
  const index = new Array<number>(shape.length).fill(0);
  let src = offset;
  for (let o = 0; o < numel; o++) {
    out[o] = values[src]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      src += stride[d]!;
      if (++index[d]! < shape[d]!) break;
      src -= stride[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return out;
}

/**
 * A torch.save tensor as float32 (F16 / BF16 / F64 converted, strides materialised), or null for integer
 * tensors (num_batches_tracked). `storageBytes` gives a storage's raw little-endian bytes.
 */
export function torchTensorValues(t: TorchTensor, storageBytes: (s: StorageRef) => Uint8Array, cache: Map<StorageRef, Float32Array | null>): RawTensor | null {
  const { storage, offset, shape, stride } = t;
  const numel = shape.reduce((a, b) => a * b, 1);
  const last = offset + shape.reduce((sum, n, d) => sum + (n - 1) * stride[d]!, 0);
  if (numel > 0 && last >= storage.numel) throw new RangeError(`a view [${shape}] with strides [${stride}] at ${offset} reaches element ${last} of a ${storage.numel}-element storage`);
  if (!cache.has(storage)) {
    const size = DTYPE_BYTES[storage.dtype]!;
    const bytes = storageBytes(storage);
    if (bytes.length < (storage.offset + storage.numel) * size) throw new RangeError(`storage ${storage.key} holds ${bytes.length} bytes; ${storage.numel} ${storage.dtype} elements need ${storage.numel * size}`);
    cache.set(storage, toFloat32(storage.dtype, bytes.subarray(storage.offset * size, (storage.offset + storage.numel) * size)));
  }
  const values = cache.get(storage);
  return values ? { shape, values: gather(values, offset, shape, stride) } : null;
}

const NUMPY_FLOATS: Record<string, string> = { f2: 'F16', f4: 'F32', f8: 'F64' };

/** A numpy array as float32 (float16 / float64 converted, Fortran order transposed), or null for other dtypes. */
export function numpyValues(a: NumpyArray): RawTensor | null {
  if (!a.dtype || !a.data) throw new RangeError('an ndarray without its data (no BUILD)');
  const descr = a.dtype.descr.replace(/^[<>=|]/, '');
  const dtype = NUMPY_FLOATS[descr];
  if (!dtype) return null;
  if (a.dtype.order === '>' || a.dtype.descr.startsWith('>')) throw new RangeError('big-endian arrays are not read');
  const numel = a.shape.reduce((x, y) => x * y, 1);
  if (a.data.length !== numel * DTYPE_BYTES[dtype]!) throw new RangeError(`an array of shape [${a.shape}] ${descr} holds ${a.data.length} bytes, not ${numel * DTYPE_BYTES[dtype]!}`);
  const values = toFloat32(dtype, a.data)!;
  if (!a.fortran || a.shape.length < 2) return { shape: a.shape, values };
  const reversed = [...a.shape].reverse();
  return permute({ shape: reversed, values }, reversed.map((_, i) => reversed.length - 1 - i));
}
