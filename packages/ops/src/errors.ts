/** Base class of every error thrown by `@mobilenets/ops`. */
export class MobilenetsOpsError extends Error {
  override name = 'MobilenetsOpsError';
}

/** A tensor or option has a shape, size or value the op cannot work with. */
export class OpsInputError extends MobilenetsOpsError {
  override name = 'OpsInputError';
}

/** The requested backend cannot be set up here (package missing, no adapter, init failed). */
export class BackendUnavailableError extends MobilenetsOpsError {
  override name = 'BackendUnavailableError';
  constructor(
    readonly backend: string,
    message: string,
    /** The npm package the user has to install, when that is the cause. */
    readonly missingPackage?: string,
    options?: { cause?: unknown },
  ) {
    super(message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * A backend's WebAssembly module aborted (emscripten `Aborted()`, or a trap such as `memory access out of bounds`)
 * during `where`. The module cannot be used again: until `recoverBackend()` starts a fresh one, every call on that
 * backend fails with this error instead of aborting again or hanging.
 */
export class BackendAbortedError extends MobilenetsOpsError {
  override name = 'BackendAbortedError';
  constructor(
    readonly backend: string,
    /** The op, layer or step that was running. */
    readonly where: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** What an `OutOfMemoryError` reports (a `TrainingMemoryEstimate` has these fields). */
export interface MemoryShortfall {
  model: string;
  batch: number;
  inputSize: number;
  peakBytes: number;
  limitBytes: number;
  maxBatch: number;
}

const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

/**
 * A training step would not fit in memory: its estimated peak exceeds the heap (4 GiB on wasm), or an allocation
 * failed during the step. Nothing was left allocated; a step at `maxBatch` or less can follow in the same process.
 */
export class OutOfMemoryError extends MobilenetsOpsError {
  override name = 'OutOfMemoryError';
  readonly model: string;
  readonly batch: number;
  readonly inputSize: number;
  /** The estimated peak of the step, in bytes. */
  readonly estimatedBytes: number;
  readonly limitBytes: number;
  /** The largest batch whose estimated peak fits (0: not even one image). */
  readonly maxBatch: number;

  /** `cause`: the allocation failure, when the step itself ran out of memory. */
  constructor(s: MemoryShortfall, options: ErrorOptions = {}) {
    const why =
      options.cause === undefined
        ? `needs about ${gb(s.peakBytes)}, more than the ${gb(s.limitBytes)} it can use`
        : `ran out of memory (estimated peak ${gb(s.peakBytes)} of ${gb(s.limitBytes)})`;
    const fits = s.maxBatch > 0 ? `the largest batch that fits is ${s.maxBatch}` : 'not even one image fits';
    const recover = options.cause instanceof BackendAbortedError ? '; the backend aborted: `await recoverBackend()` first' : '';
    super(`${s.model}: a training step at batch ${s.batch} on ${s.inputSize}×${s.inputSize} inputs ${why}; ${fits}${recover}`, options);
    this.model = s.model;
    this.batch = s.batch;
    this.inputSize = s.inputSize;
    this.estimatedBytes = s.peakBytes;
    this.limitBytes = s.limitBytes;
    this.maxBatch = s.maxBatch;
  }
}
