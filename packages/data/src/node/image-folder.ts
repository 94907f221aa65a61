import { join } from 'node:path';
import { CLASS_INDICES_FILE, readClassIndices, writeClassIndices } from './class-indices.js';
import { checkIndex, type Dataset, withTransform } from '../dataset.js';
import { decodeImage } from './decode.js';
import { DatasetError, FormatError } from '../errors.js';
import { IMAGE_EXTENSIONS, listImages, type Skipped } from './list-images.js';
import { checkOptions, func, oneOf, positiveInteger, type Rules, rule } from '../options.js';
import type { Transform } from '../transforms.js';

export interface ImageFolderOptions {
  /** File extensions that count as images (case-insensitive). Default: torchvision's, less BMP / PPM / PGM. */
  extensions?: readonly string[];
  /**
   * `none` (default): class order by sorted folder name, as torchvision, and nothing written. `read`: the order
   * of an existing `class_indices.json`. `write`: write one ({"0": "daisy", …}, as seed 003 does) into the
   * dataset folder; an existing one with another order is never overwritten (a DatasetError).
   */
  classIndices?: 'none' | 'read' | 'write';
  /** What cannot be listed (an empty class folder, a broken link): `throw` (default) a DatasetError, or `skip` it. */
  onError?: 'throw' | 'skip';
  /** Where the one-line summary of skipped entries goes (default console.warn). */
  warn?: (message: string) => void;
  /** Images declaring more pixels are refused before decoding (default MAX_PIXELS, PIL's limit). */
  maxPixels?: number;
  transform?: Transform;
}

export interface ImageFolderDataset extends Dataset {
  /** Every image path, index = sample. Images are read from disk on `get`, never held in memory. */
  readonly files: readonly string[];
  /** Every entry not taken as a sample, with the reason: other files, broken links, link cycles, empty classes. */
  readonly skipped: readonly Skipped[];
}

const RULES: Rules<ImageFolderOptions> = {
  extensions: rule("an array of extensions like '.jpg'", (v) => Array.isArray(v) && v.every((e) => typeof e === 'string' && /^\.[^./\\]+$/.test(e))),
  classIndices: oneOf('none', 'read', 'write'),
  onError: oneOf('throw', 'skip'),
  warn: func,
  maxPixels: positiveInteger,
  transform: func,
};

/** The class order the options ask for, written out if asked. */
async function classOrder(dir: string, classes: string[], mode: ImageFolderOptions['classIndices']): Promise<readonly string[]> {
  if (mode === 'write') await writeClassIndices(dir, classes);
  if (mode !== 'read') return classes;
  const file = join(dir, CLASS_INDICES_FILE);
  const order = await readClassIndices(dir);
  if (!order) throw new FormatError(file, "not found (classIndices: 'read')");
  const missing = classes.find((c) => !order.includes(c));
  if (missing) throw new FormatError(file, `has no index for the class folder '${missing}'`);
  return order;
}

/**
 * torchvision's ImageFolder: one sub-folder per class (sorted by name), its images at any depth, symbolic
 * links followed. Images are decoded on `get` as PIL decodes them. Nothing is written unless asked.
 */
export async function imageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageFolderDataset> {
  checkOptions('imageFolder', options, RULES);
  const { onError = 'throw', maxPixels } = options;
  const extensions = (options.extensions ?? IMAGE_EXTENSIONS).map((e) => e.toLowerCase());
  const listing = await listImages(dir, { extensions, onError, ignore: [CLASS_INDICES_FILE] });
  if (listing.classes.length === 0) throw new DatasetError(dir, 'holds no class folders with images');
  if (listing.skipped.length > 0) {
    const warn = options.warn ?? ((m: string) => console.warn(m));
    const first = listing.skipped[0]!;
    warn(`imageFolder: skipped ${listing.skipped.length} entries of ${dir} (the first: ${first.file}: ${first.reason}); see .skipped`);
  }
  const order = await classOrder(dir, listing.classes, options.classIndices);
  const labels = listing.labels.map((l) => order.indexOf(listing.classes[l]!));
  const { files, skipped } = listing;

  const raw: ImageFolderDataset = {
    size: files.length,
    classes: order,
    files,
    skipped,
    async get(index) {
      checkIndex(raw, index);
      return { image: await decodeImage(files[index]!, { maxPixels }), label: labels[index]! };
    },
  };
  const transformed = withTransform(raw, options.transform);
  return { ...raw, get: transformed.get };
}
