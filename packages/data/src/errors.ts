/** The errno code of a file-system error (ENOENT, EROFS, …), or the error itself in words. */
export const errnoCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? String(err);

/** A dataset file or folder that cannot be used: names it. */
export class DatasetError extends Error {
  override name = 'DatasetError';
  constructor(
    readonly file: string,
    /** What is wrong with it (the message without the file name). */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${reason}`, options);
  }
}

/** An image file the decoder cannot read (truncated, not an image, unsupported format). */
export class DecodeError extends DatasetError {
  override name = 'DecodeError';
}

/** An image whose header declares more pixels than the decoder may allocate (a decompression bomb, or just huge). */
export class ImageTooLargeError extends DecodeError {
  override name = 'ImageTooLargeError';
  constructor(
    file: string,
    readonly width: number,
    readonly height: number,
    readonly maxPixels: number,
  ) {
    const count = (n: number) => n.toLocaleString('en-US');
    super(file, `is ${width}×${height} = ${count(width * height)} pixels, more than maxPixels (${count(maxPixels)}); not decoded`);
  }
}

/** A data file whose layout is wrong: an IDX magic number, a CIFAR file size. */
export class FormatError extends DatasetError {
  override name = 'FormatError';
}

/** An image-folder class directory with no images in it. */
export class EmptyClassError extends DatasetError {
  override name = 'EmptyClassError';
}

/** An option or parameter a function cannot take: a misspelled key, a value of the wrong kind or out of range. */
export class OptionError extends Error {
  constructor(
    /** The function given it, e.g. `loader` or `resize`. */
    readonly where: string,
    /** The option or parameter, e.g. `batchSize`. */
    readonly option: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'OptionError';
  }
}

/** An optional package a function needs is not installed (sharp, to decode images): names it and how to get it. */
export class MissingPackageError extends Error {
  constructor(
    readonly packageName: string,
    purpose: string,
    options?: ErrorOptions,
  ) {
    super(`${purpose} needs the optional package '${packageName}': npm install ${packageName}`, options);
    this.name = 'MissingPackageError';
  }
}
