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
  ) {
    super(message);
  }
}
