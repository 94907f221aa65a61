/** A dataset file or folder that cannot be used: names it. */
export class DatasetError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = new.target.name;
  }
}

/** An image file the decoder cannot read (truncated, not an image, unsupported format). */
export class DecodeError extends DatasetError {}

/** A data file whose layout is wrong: an IDX magic number, a CIFAR file size. */
export class FormatError extends DatasetError {}

/** An image-folder class directory with no images in it. */
export class EmptyClassError extends DatasetError {}
