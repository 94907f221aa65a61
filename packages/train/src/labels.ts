import { TrainDataError } from './errors.js';

/** Throws when a label has no output in a `numClasses`-way model (tfjs' one-hot would silently give it zeros). */
export function checkLabels(labels: ArrayLike<number>, numClasses: number, source: string): void {
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (!(Number.isInteger(l) && l >= 0 && l < numClasses)) {
      throw new TrainDataError(source, `label ${l} is outside the model's ${numClasses} classes (0–${numClasses - 1})`);
    }
  }
}
