/** Base class of every error thrown by `@mobilenets/ops`. */
export class MobilenetsOpsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tensor or option has a shape, size or value the op cannot work with. */
export class OpsInputError extends MobilenetsOpsError {}

/** The requested backend cannot be set up here (package missing, no adapter, init failed). */
export class BackendUnavailableError extends MobilenetsOpsError {
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
