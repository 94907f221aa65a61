import { OpsInputError } from './errors.js';

/**
 * Rounds a channel count to the nearest multiple of `divisor`, never below `minValue` (default
 * `divisor`) and never more than 10% below `value` (then one `divisor` is added): the rule of the
 * TensorFlow and torchvision MobileNets.
 */
export function makeDivisible(value: number, divisor = 8, minValue?: number): number {
  if (!(value > 0) || !Number.isInteger(divisor) || divisor < 1) {
    throw new OpsInputError(`makeDivisible: value must be positive and divisor a positive integer, got ${value}, ${divisor}`);
  }
  const rounded = Math.max(minValue ?? divisor, Math.floor((value + divisor / 2) / divisor) * divisor);
  return rounded < 0.9 * value ? rounded + divisor : rounded;
}
