// The package in a page (the `browser` export condition): datasets, transforms and the loader as in Node, and
// decodeImage from what a page has (files, URLs, <img>, ImageBitmap, ImageData, canvas, video). The file-system
// datasets (image folders, Fashion-MNIST, CIFAR-10 files) stay in Node.
export * from './portable.js';
export { type DecodeOptions, decodeImage, type ImageSource, MAX_PIXELS } from './decode.browser.js';
