import { BackendUnavailableError } from '../errors.js';
import { setBackendOrThrow } from './wasm.js';

/** The native TensorFlow bindings, most capable first. Optional peers: never installed by us. */
const PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** Loads whichever of tfjs-node-gpu / tfjs-node the user installed, selects its backend, returns its name. */
export async function setupTensorflow(): Promise<string> {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  for (const name of PACKAGES) {
    try {
      require.resolve(name);
    } catch {
      continue; // not installed
    }
    try {
      const specifier: string = name; // a plain string keeps bundlers from resolving the optional peer
      await import(specifier);
    } catch (err) {
      throw new BackendUnavailableError('tensorflow', `${name} is installed but failed to load: ${String(err)}`, undefined, { cause: err });
    }
    await setBackendOrThrow('tensorflow');
    return name;
  }
  throw new BackendUnavailableError(
    'tensorflow',
    "the 'tensorflow' backend needs @tensorflow/tfjs-node (CPU) or @tensorflow/tfjs-node-gpu (CUDA): npm install @tensorflow/tfjs-node",
    '@tensorflow/tfjs-node',
  );
}
