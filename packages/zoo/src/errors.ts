import { BlockInputError } from '@mobilenets/blocks';

/** An architecture string the decoder cannot read: names the token and where it stands. */
export class ArchDecodeError extends Error {
  constructor(
    readonly token: string,
    /** [stage, block] indices, both from 0. */
    readonly position: readonly [number, number],
    message: string,
  ) {
    super(`stage ${position[0]}, block ${position[1]} ('${token}'): ${message}`);
    this.name = 'ArchDecodeError';
  }
}

/** A model name nobody registered, or options the model cannot be built with. */
export class ModelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelConfigError';
  }
}

/** Weights that do not fit the model (missing, unexpected, wrong shape): names the tensor. Nothing is loaded. */
export class WeightMismatchError extends Error {
  constructor(
    readonly tensor: string,
    message: string,
  ) {
    super(`${tensor}: ${message}`);
    this.name = 'WeightMismatchError';
  }
}

/** A model directory or weight file that cannot be read, or whose content is malformed or inconsistent. */
export class ModelFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${message}`, options);
    this.name = 'ModelFileError';
  }
}

/**
 * A pickle (a `.pth` / `.pt` / `.pdparams` file) that names a Python global outside the few a state_dict needs
 * (`posix.system`, `builtins.eval`, `subprocess.Popen`, …). Nothing in the file is ever executed: the reader
 * stops at the global, and the model is left as it was.
 */
export class UnsafePickleError extends ModelFileError {
  constructor(
    path: string,
    /** `module.name`, as the pickle spells it. */
    readonly global: string,
    /** The byte offset of the opcode that names it. */
    readonly offset: number,
  ) {
    super(path, `pickle global '${global}' at byte ${offset} is not allowed: only the globals of a state_dict (tensors, storages, OrderedDict, numpy arrays) are read, and nothing is executed`);
    this.name = 'UnsafePickleError';
  }
}

/**
 * A file or directory that could not be written, or that a write refused to replace. `code` is the system's
 * (`ENOSPC`, `EACCES`, `EROFS`, `EEXIST`, …) or `ELOCKED` (another live writer holds the target's lock).
 * Nothing at `path` was changed.
 */
export class WriteError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${message}`, options);
    this.name = 'WriteError';
  }
}

/**
 * A tensor a zoo model cannot take (`predict` / `apply`): `layer` holds the model's name. A `BlockInputError`, as
 * its blocks' own input errors are, so one `catch` serves both.
 */
export class ModelInputError extends BlockInputError {
  constructor(model: string, expected: string, received: string) {
    super(model, expected, received);
    this.name = 'ModelInputError';
  }
}
