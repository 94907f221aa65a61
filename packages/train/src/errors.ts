/** Options or flags that cannot work together, or a value out of range: names the option. */
export class TrainConfigError extends Error {
  constructor(
    readonly option: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${option}: ${message}`, options);
    this.name = 'TrainConfigError';
  }
}

/** Training data that cannot train the model (a missing folder, one class, labels the model has no output for, a batch larger than the set). */
export class TrainDataError extends Error {
  constructor(
    readonly source: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${message}`, options);
    this.name = 'TrainDataError';
  }
}

/** A checkpoint that cannot be written, read or resumed from, or an output folder that would be overwritten. */
export class CheckpointError extends Error {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${message}`, options);
    this.name = 'CheckpointError';
  }
}

/** Starting weights that do not fit the model: another architecture, or a file the zoo cannot read. */
export class PretrainedMismatchError extends Error {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${message}`, options);
    this.name = 'PretrainedMismatchError';
  }
}
