import { ClassifierError } from './errors.js';
import { type Classifier, ensureBackend, ImageClassifier, type LoadClassifierOptions, positiveInt } from './image-classifier.js';
import { loadSource, type ModelInfo } from './model/node/load.js';
import { type Engine, exportedEngine, onnxEngine, tfjsEngine } from './runtime/engines.js';

export type { Classifier, ClassifierInfo, ClassifyOptions, LoadClassifierOptions, RunOptions, Runtime } from './image-classifier.js';

/**
 * A classifier from a model directory (its `mobilenets.json` gives the preprocessing and labels), an `.onnx` file
 * written by `mobilenets-export`, or a registry name (ImageNet preprocessing, no labels).
 */
export async function loadClassifier(dirOrName: string, options: LoadClassifierOptions = {}): Promise<Classifier> {
  const runtime = options.runtime ?? (dirOrName.endsWith('.onnx') ? 'onnxruntime' : 'tfjs');
  if (runtime !== 'tfjs' && runtime !== 'onnxruntime') throw new ClassifierError(`runtime must be 'tfjs' or 'onnxruntime', got '${String(runtime)}'`);
  if (options.threads !== undefined) positiveInt('threads', options.threads);
  await ensureBackend(options, runtime);
  const source = await loadSource(dirOrName, options.weights);
  const info: ModelInfo = source.info;
  const size = info.options.inputSize;
  if (info.preprocessing.crop !== size) {
    if (source.kind === 'tfjs') source.model.dispose();
    throw new ClassifierError(`${dirOrName}: preprocessing crops ${info.preprocessing.crop}×${info.preprocessing.crop}, but the model takes ${size}×${size}`);
  }
  let engine: Engine;
  if (source.kind === 'onnx') {
    if (runtime === 'tfjs') throw new ClassifierError(`${dirOrName}: an ONNX file runs on runtime 'onnxruntime'`);
    engine = await onnxEngine(source.onnx, size, options.threads);
  } else {
    engine = runtime === 'tfjs' ? await tfjsEngine(source.model, size) : await exportedEngine(source.model, size, options.threads);
  }
  return new ImageClassifier(engine, {
    name: info.name,
    source: source.path,
    runtime,
    engine: engine.description,
    inputSize: size,
    numClasses: info.options.numClasses,
    labels: info.labels,
    preprocessing: info.preprocessing,
  });
}

