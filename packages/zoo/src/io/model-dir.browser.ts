import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelFileError } from '../errors.js';
import type { ModelMetadata } from './metadata.js';
import { METADATA_JSON, MODEL_JSON, type ModelFiles, WEIGHTS_BIN } from './model-files.js';
import { buildSavedModel, type LoadedModel, readSavedModel, type SaveModelOptions, type SavedModelFiles, savedModelFiles } from './saved-model.js';
import { urlFiles } from './url-files.js';

export type { LoadedModel, SaveModelOptions } from './saved-model.js';

/**
 * Where a page keeps a model directory: a URL (relative to the page; self-hosted files next to it), an
 * `indexeddb://<name>` key, or the files a user picked (model.json, weights.bin, mobilenets.json).
 */
export type ModelSource = string | URL | FileList | Iterable<File>;

const IDB = 'indexeddb://';
const DOWNLOADS = 'downloads://';
const FILES = [MODEL_JSON, WEIGHTS_BIN, METADATA_JSON] as const;

/**
 * Loads a model directory in a page: fetched from a URL, read from IndexedDB (`indexeddb://<name>`, as
 * saveModel stores it) or from picked files. The checks are Node's: weight paths stay inside the directory,
 * files are read only up to their declared sizes, and mobilenets.json must describe the model of model.json.
 */
export async function loadModel(source: ModelSource): Promise<LoadedModel> {
  const files = typeof source === 'string' && source.startsWith(IDB) ? await idbFiles(source.slice(IDB.length)) : typeof source === 'string' || source instanceof URL ? urlFiles(source) : pickedFiles(source);
  const { path, metadata, artifacts } = await readSavedModel(files);
  return buildSavedModel(path, files.name(MODEL_JSON), metadata, artifacts);
}

/**
 * Saves a model in a page: `indexeddb://<name>` stores its directory in the page's IndexedDB (replacing a model
 * of that name), `downloads://` offers its three files as downloads (put them next to a page, or pick them, to
 * load them back).
 */
export async function saveModel(model: tfl.LayersModel, destination: string, options: SaveModelOptions = {}): Promise<ModelMetadata> {
  if (destination.startsWith(IDB)) {
    const files = await savedModelFiles(model, destination, options);
    await idbPut(destination.slice(IDB.length), files);
    return files.metadata;
  }
  if (destination.startsWith(DOWNLOADS)) {
    const files = await savedModelFiles(model, destination, options);
    for (const name of FILES) download(name, files[name]);
    return files.metadata;
  }
  throw new ModelFileError(destination, `is not a place a page can save to; use '${IDB}<name>' or '${DOWNLOADS}'`);
}

function fromBytes(name: string, bytes: Uint8Array, maxBytes: number): Uint8Array {
  if (bytes.byteLength > maxBytes) throw new ModelFileError(name, `holds ${bytes.byteLength} bytes; at most ${maxBytes} expected`);
  return bytes;
}

function missing(name: string, where: string): never {
  throw new ModelFileError(name, `is not among ${where}`);
}

/** Files a user picked, by name: the directory's files, flat (a weight path with a folder cannot be among them). */
function pickedFiles(list: FileList | Iterable<File>): ModelFiles {
  const byName = new Map(Array.from(list as Iterable<File>, (f) => [f.name, f]));
  const where = `the picked files (${[...byName.keys()].join(', ')})`;
  return {
    name: (file) => file,
    async read(file, maxBytes) {
      const f = byName.get(file) ?? missing(file, where);
      if (f.size > maxBytes) throw new ModelFileError(file, `holds ${f.size} bytes; at most ${maxBytes} expected`);
      return new Uint8Array(await f.arrayBuffer());
    },
  };
}

type StoredFiles = Record<(typeof FILES)[number], Uint8Array>;

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('mobilenets', 1);
    request.onupgradeneeded = () => request.result.createObjectStore('models');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function idbRequest<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction('models', mode);
      const request = run(tx.objectStore('models'));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

async function idbPut(name: string, files: SavedModelFiles): Promise<void> {
  const encoder = new TextEncoder();
  const stored: StoredFiles = { [MODEL_JSON]: encoder.encode(files[MODEL_JSON]), [WEIGHTS_BIN]: files[WEIGHTS_BIN], [METADATA_JSON]: encoder.encode(files[METADATA_JSON]) };
  try {
    await idbRequest('readwrite', (store) => store.put(stored, name));
  } catch (err) {
    throw new ModelFileError(`${IDB}${name}`, `cannot be written (${String(err)})`, { cause: err });
  }
}

async function idbFiles(name: string): Promise<ModelFiles> {
  const where = `${IDB}${name}`;
  let stored: StoredFiles | undefined;
  try {
    stored = await idbRequest('readonly', (store) => store.get(name) as IDBRequest<StoredFiles | undefined>);
  } catch (err) {
    throw new ModelFileError(where, `cannot be read (${String(err)})`, { cause: err });
  }
  if (!stored) throw new ModelFileError(where, 'holds no saved model');
  return {
    name: (file) => `${where}/${file}`,
    async read(file, maxBytes) {
      const bytes = (stored as Partial<Record<string, Uint8Array>>)[file] ?? missing(`${where}/${file}`, `the files of ${where}`);
      return fromBytes(`${where}/${file}`, bytes, maxBytes);
    },
  };
}

function download(name: string, content: string | Uint8Array): void {
  const url = URL.createObjectURL(new Blob([content as BlobPart]));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
