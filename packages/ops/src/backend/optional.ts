import { BackendUnavailableError } from '../errors.js';

/** The packages a backend loads only when it is asked for, with what they are, for the error naming them. */
const OPTIONAL = {
  webgpu: "the 'webgpu' package (Dawn for Node)",
  '@tensorflow/tfjs-backend-webgpu': "tfjs' WebGPU backend",
} as const;

export type OptionalPackage = keyof typeof OPTIONAL;

/**
 * Imports an optional peer of a backend. Missing, it is a BackendUnavailableError naming the package to install;
 * failing to load, one with the loader's error as `cause`.
 */
export async function importOptional<T>(backend: string, pkg: OptionalPackage, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const missing = String(err).includes(`'${pkg}'`) && /not found|cannot find/i.test(String(err));
    const message = missing
      ? `the '${backend}' backend needs ${OPTIONAL[pkg]}, an optional package that is not installed: npm install ${pkg}`
      : `${pkg} is installed but failed to load: ${String(err)}`;
    throw new BackendUnavailableError(backend, message, pkg, { cause: err });
  }
}
