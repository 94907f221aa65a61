import * as tf from '@tensorflow/tfjs-core';

/**
 * A gradient driver that frees memory as it goes. tfjs' `engine.gradients` keeps every tensor a kernel saved
 * for its gradient, every intermediate gradient and everything a custom gradient computes until the whole
 * backward pass ends, so a training step holds the forward's activations plus all their gradients at once
 * (MobileNetV2-224 at batch 4 on wasm: ~1.9 GB). This walks the same tape backward and frees, node by node,
 * the output gradients it has consumed, the tensors the node saved, and whatever its gradient computed on
 * the way; tensors saved by nodes that do not lead to the result are freed before the walk starts.
 */

interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

/** The parts of tfjs-core 4.22's engine the driver uses (pinned version; `gradients.test.ts` checks them). */
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  gradients(f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor, allowNoGradients?: boolean): { value: tf.Tensor; grads: tf.Tensor[] };
}

const engine = () => tf.engine() as unknown as EngineInternals;

export interface Gradients<T extends tf.Tensor> {
  value: T;
  /** One per x, in order; null where `f` does not depend on that x. */
  grads: (tf.Tensor | null)[];
}

/**
 * Value of `f()` and the gradients of `sum(f() · dy)` (dy defaults to ones) with respect to `xs`, as
 * `tf.engine().gradients` computes them, with each intermediate freed as soon as the backward pass is done
 * with it. Works inside another gradient's backward pass (as a recomputed block's gradient does); inside a
 * forward pass being recorded (higher-order gradients) it defers to tfjs' own driver.
 */
export function valueAndGradients<T extends tf.Tensor>(f: () => T, xs: tf.Tensor[], dy?: tf.Tensor): Gradients<T> {
  const e = engine();
  if (e.state.gradientDepth > 0) return e.gradients(f, xs, dy, true) as Gradients<T>;
  const outerTape = e.state.activeTape; // set when called from a backward pass of tfjs' own driver
  let tape: TapeNode[] = [];
  try {
    e.startTape();
    let value: T;
    try {
      value = tf.tidy('forward', f);
    } finally {
      e.endTape();
      tape = e.state.activeTape ?? [];
    }
    if (!(value instanceof tf.Tensor)) throw new Error('valueAndGradients: f must return a tensor');
    const path = pathToValue(tape, xs, value);
    const onPath = new Set(path.map((n) => n.id));
    for (const node of tape) if (!onPath.has(node.id)) tf.dispose(node.saved ?? []);
    try {
      return { value, grads: backpropagate(path, xs, value, dy) };
    } catch (err) {
      value.dispose();
      throw err;
    }
  } finally {
    for (const node of tape) tf.dispose(node.saved ?? []);
    e.state.activeTape = outerTape;
  }
}

/** The nodes that depend on some x and lead to y, in tape order, with inputs pruned to those that depend on an x. */
function pathToValue(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      nodesFromX.add(node.id);
      for (const o of node.outputs) fromX.add(o.id);
    }
  }
  const toY = new Set([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.outputs.some((o) => toY.has(o.id))) {
      nodesToY.add(node.id);
      for (const t of Object.values(node.inputs)) toY.add(t.id);
    }
  }
  return tape
    .filter((n) => nodesFromX.has(n.id) && nodesToY.has(n.id))
    .map((n) => ({ ...n, inputs: Object.fromEntries(Object.entries(n.inputs).filter(([, t]) => fromX.has(t.id))) }));
}

/** Walks the path backward; returns the gradient of each x (or null). */
function backpropagate(path: TapeNode[], xs: tf.Tensor[], y: tf.Tensor, dy: tf.Tensor | undefined): (tf.Tensor | null)[] {
  const wanted = new Set(xs.map((x) => x.id));
  const grads = new Map<number, tf.Tensor>([[y.id, dy ?? tf.onesLike(y)]]);
  const owned = (t: tf.Tensor) => t !== dy;
  try {
    for (let i = path.length - 1; i >= 0; i--) {
      const node = path[i]!;
      if (!node.gradient) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
      const dys = node.outputs.map((o) => grads.get(o.id) ?? null);
      const names = Object.keys(node.inputs);
      const dxs = tf.tidy(() => {
        const fns = node.gradient!(dys);
        // A gradient may hand back its dy or a saved tensor, both about to be freed: keep a copy instead.
        return names.map((name) => {
          const dx = fns[name]!();
          return dys.includes(dx) || node.saved?.includes(dx) ? tf.clone(dx) : dx;
        });
      });
      node.outputs.forEach((o, k) => {
        const g = dys[k];
        if (g && !wanted.has(o.id)) {
          grads.delete(o.id);
          if (owned(g)) g.dispose();
        }
      });
      tf.dispose(node.saved ?? []);
      for (const [k, name] of names.entries()) accumulate(grads, node.inputs[name]!, dxs[k]!, node.kernelName, name);
    }
    return xs.map((x) => grads.get(x.id) ?? null);
  } catch (err) {
    for (const g of grads.values()) if (owned(g)) g.dispose();
    throw err;
  }
}

function accumulate(grads: Map<number, tf.Tensor>, x: tf.Tensor, dx: tf.Tensor, kernel: string, input: string): void {
  if (dx.dtype !== 'float32' || !tf.util.arraysEqual(dx.shape, x.shape)) {
    dx.dispose();
    throw new Error(`Error in gradient for op ${kernel}: the gradient of input '${input}' is ${dx.dtype} [${dx.shape}], the input ${x.dtype} [${x.shape}]`);
  }
  const previous = grads.get(x.id);
  if (!previous) {
    grads.set(x.id, dx);
    return;
  }
  grads.set(x.id, tf.add(previous, dx));
  tf.dispose([previous, dx]);
}
