import { BackendUnavailableError } from '../errors.js';
import { setBackendOrThrow } from './wasm.js';

/** The native TensorFlow bindings, most capable first. Optional peers: never installed by us. */
const PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** Loads whichever of tfjs-node-gpu / tfjs-node the user installed and selects its backend. */
export async function setupTensorflow(): Promise<string> {
  const failures: string[] = [];
  for (const name of PACKAGES) {
    const specifier: string = name; // a plain string keeps bundlers from resolving the optional peer
    try {
      await import(specifier);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') failures.push(`${name}: ${String(err)}`);
      continue;
    }
    await setBackendOrThrow('tensorflow');
    return name;
  }
  throw new BackendUnavailableError(
    'tensorflow',
    failures.length > 0
      ? `the native TensorFlow backend failed to load:\n  ${failures.join('\n  ')}`
      : "the 'tensorflow' backend needs @tensorflow/tfjs-node (CPU) or @tensorflow/tfjs-node-gpu (CUDA): npm install @tensorflow/tfjs-node",
    '@tensorflow/tfjs-node',
  );
}
