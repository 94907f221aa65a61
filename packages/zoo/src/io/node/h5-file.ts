import { stat } from 'node:fs/promises';
import { ModelFileError } from '../../errors.js';
import type { RawTensor } from '../safetensors.js';

/** Keras weight files of the MobileNets are tens of MB; a larger file is refused before it is opened. */
const FILE_LIMIT = 2 ** 31;

type H5wasm = typeof import('h5wasm').default;
type H5Group = InstanceType<H5wasm['Group']>;

/** h5wasm (a wasm build of the HDF5 library, ~4 MB) is an optional dependency, loaded on first use. */
async function loadH5wasm(path: string): Promise<H5wasm> {
  try {
    const specifier: string = 'h5wasm/node'; // a plain string keeps bundlers from resolving the optional package
    const h5wasm = ((await import(specifier)) as { default: H5wasm }).default;
    // HDF5's errors as thrown Errors (kept as our errors' cause) instead of HDF5-DIAG lines on stderr.
    (await h5wasm.ready).activate_throwing_error_handler();
    return h5wasm;
  } catch (err) {
    throw new ModelFileError(path, "reading Keras .h5 weights needs the optional package 'h5wasm': npm install h5wasm", { cause: err });
  }
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : undefined);

/**
 * The weights of a Keras 2 HDF5 file (`model.save_weights('x.h5')`, or `model.save('x.h5')` whose weights sit under
 * `model_weights`): the root's `layer_names`, each layer group's `weight_names`, each a dataset. Keys are
 * `<layer>/<weight>` (`conv1/kernel:0`, `expanded_conv/depthwise/depthwise_kernel:0`); values as float32.
 */
export async function readKerasH5(path: string): Promise<Map<string, RawTensor>> {
  const info = await stat(path);
  if (!info.isFile()) throw new ModelFileError(path, 'is not a regular file (a device, FIFO or socket); refused');
  if (info.size > FILE_LIMIT) throw new ModelFileError(path, `holds ${info.size} bytes; at most ${FILE_LIMIT} expected`);
  const h5wasm = await loadH5wasm(path);
  let file: InstanceType<H5wasm['File']>;
  try {
    file = new h5wasm.File(path, 'r');
  } catch (err) {
    throw new ModelFileError(path, 'cannot be opened as HDF5 (a damaged or truncated file?)', { cause: err });
  }
  try {
    const nested = file.get('model_weights');
    const root = nested instanceof h5wasm.Group ? nested : file;
    const layers = strings(root.attrs.layer_names?.value);
    if (!layers) throw new ModelFileError(path, "is HDF5 but not a Keras 2 weight file: no 'layer_names' attribute (Keras 3's .weights.h5 layout is not read)");
    const out = new Map<string, RawTensor>();
    for (const layer of layers) {
      const group = root.get(layer);
      if (!(group instanceof h5wasm.Group)) throw new ModelFileError(path, `layer ${layer} is listed in layer_names but has no group`);
      for (const name of strings((group as H5Group).attrs.weight_names?.value) ?? []) {
        const key = `${layer}/${name.slice(name.lastIndexOf('/') + 1)}`;
        const dataset = group.get(name);
        if (!(dataset instanceof h5wasm.Dataset)) throw new ModelFileError(path, `weight ${key} is listed in weight_names but has no dataset`);
        let values: unknown;
        try {
          values = dataset.value;
        } catch (err) {
          throw new ModelFileError(path, `weight ${key}: its ${dataset.dtype} values cannot be read (float32 and float64 are)`, { cause: err });
        }
        if (!(values instanceof Float32Array || values instanceof Float64Array)) throw new ModelFileError(path, `weight ${key} is ${dataset.dtype}, not floating point`);
        out.set(key, { shape: [...(dataset.shape ?? [])], values: new Float32Array(values) }); // a copy, out of the wasm heap
      }
    }
    return out;
  } catch (err) {
    if (err instanceof ModelFileError) throw err;
    throw new ModelFileError(path, `cannot be read as a Keras weight file (${(err as Error).message})`, { cause: err });
  } finally {
    file.close();
  }
}
