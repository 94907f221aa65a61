/** Base class of every error thrown by `@mobilenets/infer`. */
export class MobilenetsInferError extends Error {
  override name = 'MobilenetsInferError';
}

/** An input that is not an image we can read (a bad pixel object, a tensor of the wrong shape): names it. */
export class ImageInputError extends MobilenetsInferError {
  override name = 'ImageInputError';
  constructor(
    /** Which input: a file, `Buffer #2`, `pixels #0`, `tensor #1`. */
    readonly source: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${message}`, options);
  }
}

/** An optional package the chosen path needs is not installed: names it and how to get it. */
export class MissingPackageError extends MobilenetsInferError {
  override name = 'MissingPackageError';
  constructor(
    readonly packageName: string,
    purpose: string,
    options?: { cause?: unknown },
  ) {
    super(`${purpose} needs the optional package '${packageName}': npm install ${packageName}`, options);
  }
}

/** A model the ONNX exporter cannot write (a layer it has no ONNX form for, a missing weight): names the layer. */
export class OnnxExportError extends MobilenetsInferError {
  override name = 'OnnxExportError';
  constructor(
    readonly layer: string,
    message: string,
  ) {
    super(`${layer}: ${message}`);
  }
}

/** A classifier used wrongly (after dispose, embed on a model without an embedding, bad options). */
export class ClassifierError extends MobilenetsInferError {
  override name = 'ClassifierError';
}
