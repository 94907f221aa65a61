import * as tf from '@tensorflow/tfjs-core';
import { BackendAbortedError, OpsInputError } from '../errors.js';
import type { BackendInfo, BackendName } from './info.js';
import { reinitBackend } from './setup.js';
import { wasmThreads } from './wasm.js';

/*
 * A WebAssembly module that aborted (emscripten's `Aborted()`) or trapped (`memory access out of bounds`) is
 * broken for good: its stack, locks and thread pool are left as they were, and the next kernel aborts again or
 * waits forever on a thread that is gone. So the first abort seen at one of our entry points makes the backend
 * inert (every allocation in it throws a BackendAbortedError; nothing calls into the module again), and
 * `recoverBackend()` replaces it with a fresh module. Its heap stays readable from JavaScript, so tensors made
 * before the abort are copied into the fresh module the first time they are used.
 */

interface Aborted {
  backend: string;
  instance: tf.KernelBackend;
  error: BackendAbortedError;
}

let aborted: Aborted | undefined;

const AFTERWARDS =
  'The module cannot run again: every call on this backend fails with this error until `await recoverBackend()` ' +
  'starts a fresh one. Tensors made before the abort are then copied out of the old module when next used; an ' +
  'out-of-bounds write may have damaged some of them, so reload weights whose values matter.';

/** WebAssembly traps and emscripten aborts are both `WebAssembly.RuntimeError`s. */
export function isWasmAbort(err: unknown): boolean {
  return typeof WebAssembly !== 'undefined' && err instanceof WebAssembly.RuntimeError;
}

/**
 * Runs `run`, the body of a public entry point (`where`: the op, layer or step). A wasm abort inside it becomes a
 * `BackendAbortedError` and leaves the backend inert; once a backend aborted, the entry refuses to start on it.
 */
export function guardBackend<T>(where: string, run: () => T): T {
  if (aborted !== undefined && tf.getBackend() === aborted.backend) throw refusal(where, aborted);
  try {
    return run();
  } catch (err) {
    if (!isWasmAbort(err)) throw err;
    throw quarantine(where, err);
  }
}

/**
 * Replaces the backend that aborted with a fresh instance of the same kind (wasm: a new module with the same
 * thread count) and selects it. Tensors of the old instance stay valid and move to the new one when used.
 * Resolves to the description `initBackend` gives; rejects with an `OpsInputError` when no backend aborted.
 */
export async function recoverBackend(): Promise<BackendInfo> {
  const dead = aborted;
  if (dead === undefined) throw new OpsInputError('recoverBackend: no backend has aborted');
  const engine = tf.engine() as unknown as { registryFactory: Record<string, { factory: () => tf.KernelBackend | Promise<tf.KernelBackend>; priority: number }> };
  const { factory, priority } = engine.registryFactory[dead.backend]!;
  tf.removeBackend(dead.backend); // calls the inert instance's dispose: its workers end, its heap stays readable
  tf.registerBackend(dead.backend, factory, priority);
  aborted = undefined;
  return reinitBackend(dead.backend as BackendName, dead.backend === 'wasm' ? { threads: wasmThreads() } : {});
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

function quarantine(where: string, cause: unknown): BackendAbortedError {
  const backend = tf.getBackend();
  const error = new BackendAbortedError(backend, where, `${where}: the ${backend} backend aborted (${messageOf(cause)}). ${AFTERWARDS}`, { cause });
  if (aborted === undefined) {
    aborted = { backend, instance: tf.backend(), error };
    makeInert(aborted);
  }
  return error;
}

function refusal(where: string, a: Aborted): BackendAbortedError {
  return new BackendAbortedError(
    a.backend,
    where,
    `${where}: the ${a.backend} backend aborted earlier, in ${a.error.where} (${messageOf(a.error.cause)}). ${AFTERWARDS}`,
    { cause: a.error },
  );
}

/** What of tfjs-backend-wasm 4.22's BackendWasm the inert copy touches (pinned version). */
interface WasmBackendInternals {
  dataIdMap: { has(id: object): boolean; get(id: object): { refCount: number }; delete(id: object): void };
  wasm?: { PThread?: { runningWorkers: { terminate(): void }[]; unusedWorkers: { terminate(): void }[] } };
}

/**
 * Shadows the instance's methods that would call into the dead module: allocations throw, disposal only forgets
 * the tensor (the JavaScript half of BackendWasm.disposeData), and `dispose` ends the pthread workers without
 * asking the module. Reading stays as it was: the heap is a plain buffer.
 */
function makeInert(a: Aborted): void {
  const backend = a.instance as unknown as WasmBackendInternals;
  const refuse = (): never => {
    throw refusal(`a ${a.backend} kernel`, a);
  };
  Object.assign(backend, {
    write: refuse,
    move: refuse,
    makeOutput: refuse,
    disposeData(dataId: object, force = false): boolean {
      if (!backend.dataIdMap.has(dataId)) return true;
      const data = backend.dataIdMap.get(dataId);
      data.refCount--;
      if (!force && data.refCount > 0) return false;
      backend.dataIdMap.delete(dataId);
      return true;
    },
    dispose(): void {
      const threads = backend.wasm?.PThread;
      for (const worker of [...(threads?.runningWorkers ?? []), ...(threads?.unusedWorkers ?? [])]) worker.terminate();
    },
  });
}
