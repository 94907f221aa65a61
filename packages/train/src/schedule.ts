import { TrainConfigError } from './errors.js';

/** Whether a schedule's position counts optimizer steps or whole epochs (the rate then changes at epoch ends only). */
export type ScheduleUnit = 'step' | 'epoch';

/**
 * A learning-rate schedule as plain data (a checkpoint stores it; the position is the step count). Lengths
 * are in the schedule's unit (`per`, default `epoch`). Closed forms of PyTorch's schedulers:
 * - `constant`: lr.
 * - `step`: lr · γ^⌊t / every⌋ (StepLR).
 * - `exponential`: lr · γ^t (ExponentialLR).
 * - `cosine`: minLr + (lr − minLr) · (1 + cos(π t / T)) / 2 over the rest of the run (CosineAnnealingLR, T = the run).
 * - `warmup`: linear from lr · startFactor to lr over `length`, then `after` (default constant) counted from the
 *   warm-up's end, so cosine decays over what is left — seed 001's LinearWarmup + Cosine.
 */
export type Schedule =
  | { type: 'constant' }
  | { type: 'step'; every: number; gamma?: number; per?: ScheduleUnit }
  | { type: 'exponential'; gamma: number; per?: ScheduleUnit }
  | { type: 'cosine'; minLr?: number; per?: ScheduleUnit }
  | { type: 'warmup'; length: number; startFactor?: number; per?: ScheduleUnit; after?: Schedule };

/** Where a run stands: the optimizer steps done before this one and the run's shape. */
export interface SchedulePosition {
  /** Steps taken before the current one (0 for the first update). */
  step: number;
  stepsPerEpoch: number;
  epochs: number;
}

/** Position and length of the run in a unit, with `offset` units already spent (by a warm-up). */
function inUnit(per: ScheduleUnit, p: SchedulePosition, offset: number): { t: number; total: number } {
  const epoch = Math.floor(p.step / p.stepsPerEpoch);
  return per === 'step' ? { t: p.step - offset, total: p.epochs * p.stepsPerEpoch - offset } : { t: epoch - offset, total: p.epochs - offset };
}

function at(s: Schedule, lr: number, p: SchedulePosition, offset: number): number {
  switch (s.type) {
    case 'constant':
      return lr;
    case 'step':
      return lr * (s.gamma ?? 0.1) ** Math.floor(inUnit(s.per ?? 'epoch', p, offset).t / s.every);
    case 'exponential':
      return lr * s.gamma ** inUnit(s.per ?? 'epoch', p, offset).t;
    case 'cosine': {
      const { t, total } = inUnit(s.per ?? 'epoch', p, offset);
      const minLr = s.minLr ?? 0;
      return minLr + ((lr - minLr) * (1 + Math.cos((Math.PI * Math.min(t, total)) / total))) / 2;
    }
    case 'warmup': {
      const per = s.per ?? 'epoch';
      const { t } = inUnit(per, p, offset);
      if (t < s.length) {
        const start = s.startFactor ?? 0;
        return lr * (start + ((1 - start) * t) / s.length);
      }
      const after = s.after ?? { type: 'constant' };
      // The rest counts from the warm-up's end, in the rest's own unit.
      const afterPer = 'per' in after ? (after.per ?? 'epoch') : per;
      const length = per === afterPer ? s.length : per === 'epoch' ? s.length * p.stepsPerEpoch : s.length / p.stepsPerEpoch;
      return at(after, lr, p, offset + length);
    }
  }
}

/** The learning rate of the update at `position`, for base rate `lr`. */
export function learningRate(schedule: Schedule, lr: number, position: SchedulePosition): number {
  return at(schedule, lr, position, 0);
}

/** Checks a schedule's fields before a run (a typo would otherwise surface as NaN rates). */
export function checkSchedule(s: Schedule, path = 'schedule'): void {
  const positive = (k: string, v: unknown) => {
    if (!(typeof v === 'number' && v > 0)) throw new TrainConfigError(`${path}.${k}`, `must be a positive number, got ${String(v)}`);
  };
  if (!s || typeof s !== 'object') throw new TrainConfigError(path, `must be a schedule object, got ${String(s)}`);
  if ('per' in s && s.per !== undefined && s.per !== 'step' && s.per !== 'epoch') throw new TrainConfigError(`${path}.per`, `must be step or epoch, got '${s.per}'`);
  switch (s.type) {
    case 'constant':
      return;
    case 'step':
      positive('every', s.every);
      if (s.gamma !== undefined) positive('gamma', s.gamma);
      return;
    case 'exponential':
      positive('gamma', s.gamma);
      return;
    case 'cosine':
      if (s.minLr !== undefined && !(s.minLr >= 0)) throw new TrainConfigError(`${path}.minLr`, `must be ≥ 0, got ${s.minLr}`);
      return;
    case 'warmup':
      positive('length', s.length);
      if (s.startFactor !== undefined && !(s.startFactor >= 0 && s.startFactor <= 1)) {
        throw new TrainConfigError(`${path}.startFactor`, `must be in [0, 1], got ${s.startFactor}`);
      }
      if (s.after) checkSchedule(s.after, `${path}.after`);
      return;
    default:
      throw new TrainConfigError(`${path}.type`, `must be constant, step, exponential, cosine or warmup, got '${(s as { type: unknown }).type}'`);
  }
}
