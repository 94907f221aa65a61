import { createModel, defaultPreprocessing, type LoadedModel, listModels, loadModel, type ModelRecipe } from '@mobilenets/zoo';
import { ClassifierError } from './errors.js';
import { type Classifier, ensureBackend, ImageClassifier, type LoadClassifierOptions, positiveInt } from './image-classifier.js';
import { tfjsEngine } from './runtime/tfjs-engine.js';

export type { Classifier, ClassifierInfo, ClassifyOptions, RunOptions, Runtime } from './image-classifier.js';

/** A page's classifier options: tfjs only (onnxruntime-node is Node's). */
export type LoadClassifierPageOptions = Pick<LoadClassifierOptions, 'backend' | 'threads'>;

/**
 * Where a page's model comes from: a model directory's URL (self-hosted, next to the page), `indexeddb://<name>`,
 * the files a user picked, a registry name (ImageNet preprocessing, no labels), or a model already loaded
 * (`{ model, metadata }`, as the zoo's `loadModel` gives it: the classifier then owns the model).
 */
export type ClassifierSource = string | URL | FileList | Iterable<File> | LoadedModel;

function isLoaded(source: ClassifierSource): source is LoadedModel {
  return typeof source === 'object' && source !== null && 'model' in source && 'metadata' in source;
}

async function load(source: ClassifierSource): Promise<LoadedModel & { name: string }> {
  if (isLoaded(source)) return { ...source, name: source.metadata.name };
  if (typeof source === 'string' && listModels().includes(source)) {
    const model = createModel(source);
    const recipe = (model.getUserDefinedMetadata() as { mobilenets: ModelRecipe }).mobilenets;
    const { name, ...options } = recipe;
    const metadata = { formatVersion: 1, name, options, preprocessing: defaultPreprocessing(recipe), labels: null, provenance: { packages: {}, savedAt: '' } };
    return { model, metadata, name: source };
  }
  // In a page '@mobilenets/zoo' is its browser entry, whose loadModel also reads picked files and IndexedDB.
  return { ...(await loadModel(source as Parameters<typeof loadModel>[0])), name: String(source instanceof URL || typeof source === 'string' ? source : 'picked files') };
}

/**
 * A classifier in a page, on tfjs (wasm, or WebGPU when asked for or when `auto` finds a GPU): the model
 * directory's `mobilenets.json` gives the preprocessing and labels. Images: URLs, files, `<img>`, `ImageBitmap`,
 * `ImageData`, canvases, video frames, pixel objects or tensors.
 */
export async function loadClassifier(source: ClassifierSource, options: LoadClassifierPageOptions = {}): Promise<Classifier> {
  if (options.threads !== undefined) positiveInt('threads', options.threads);
  await ensureBackend(options, 'tfjs');
  const { model, metadata, name } = await load(source);
  const size = metadata.options.inputSize;
  if (metadata.preprocessing.crop !== size) {
    model.dispose();
    throw new ClassifierError(`${name}: preprocessing crops ${metadata.preprocessing.crop}×${metadata.preprocessing.crop}, but the model takes ${size}×${size}`);
  }
  const engine = await tfjsEngine(model, size);
  return new ImageClassifier(engine, {
    name: metadata.name,
    source: name,
    runtime: 'tfjs',
    engine: engine.description,
    inputSize: size,
    numClasses: metadata.options.numClasses,
    labels: metadata.labels,
    preprocessing: metadata.preprocessing,
  });
}
