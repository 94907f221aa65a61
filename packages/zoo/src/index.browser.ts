// The package in a page (the `browser` export condition): architectures, the builder, summaries, and model
// directories loaded from a URL, IndexedDB or picked files and saved to IndexedDB or downloads. Weight files of
// other frameworks and writing to disk stay in Node.
export * from './portable.js';
export { loadModel, type LoadedModel, type ModelSource, saveModel, type SaveModelOptions } from './io/model-dir.browser.js';
