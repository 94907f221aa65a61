import { OptionError } from './errors.js';

/** What an option or parameter may be: a test, what it expects in words, and whether it must be given. */
export interface Rule {
  readonly expected: string;
  readonly required?: boolean;
  test(value: unknown): boolean;
}

export const rule = (expected: string, test: (value: unknown) => boolean): Rule => ({ expected, test });
export const required = (r: Rule): Rule => ({ ...r, required: true });

const isNumber = (v: unknown): v is number => typeof v === 'number';
export const positiveInteger = rule('a positive integer', (v) => Number.isSafeInteger(v) && (v as number) > 0);
export const nonNegativeInteger = rule('an integer ≥ 0', (v) => Number.isSafeInteger(v) && (v as number) >= 0);
export const integer = rule('an integer', (v) => Number.isSafeInteger(v));
export const probability = rule('a probability in [0, 1]', (v) => isNumber(v) && v >= 0 && v <= 1);
export const boolean = rule('true or false', (v) => typeof v === 'boolean');
export const nonEmptyString = rule('a non-empty string', (v) => typeof v === 'string' && v.length > 0);
export const func = rule('a function', (v) => typeof v === 'function');
export const oneOf = (...values: readonly string[]): Rule =>
  rule(values.map((v) => `'${v}'`).join(' or '), (v) => values.includes(v as string));
/** [low, high]: finite, low ≤ high, both within (min, max]. */
export const range = (min: number, max = Infinity): Rule =>
  rule(`[low, high] with ${min} < low ≤ high${max < Infinity ? ` ≤ ${max}` : ''}`, (v) => Array.isArray(v) && v.length === 2 && v.every(Number.isFinite) && min < v[0] && v[0] <= v[1] && v[1] <= max);

/** A rule for every option of T: adding an option without one does not compile. */
export type Rules<T> = { readonly [K in keyof Required<T>]: Rule };

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

/** Edit distance (insertions, deletions, substitutions), for suggesting the option a typo meant. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function nearest(key: string, known: readonly string[]): string | undefined {
  const scored = known.map((k) => ({ k, d: distance(key.toLowerCase(), k.toLowerCase()) })).sort((a, b) => a.d - b.d);
  const best = scored[0];
  return best && best.d <= Math.max(2, Math.floor(key.length / 3)) ? best.k : undefined;
}

/** Throws an OptionError naming `name` unless `value` passes `r`. */
export function checkValue(where: string, name: string, value: unknown, r: Rule): void {
  if (!r.test(value)) throw new OptionError(where, name, `${name} must be ${r.expected}, got ${show(value)}`);
}

/**
 * Checks an options object: every key known (a typo names the option it was probably meant to be), every given
 * value — and every required one — passing its rule.
 */
export function checkOptions<T extends object>(where: string, options: T, rules: Rules<T>): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new OptionError(where, 'options', `options must be an object, got ${show(options)}`);
  }
  const known = Object.keys(rules);
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const guess = nearest(key, known);
    throw new OptionError(where, key, `unknown option '${key}'${guess ? ` (did you mean '${guess}'?)` : ''}; the options are ${known.join(', ')}`);
  }
  for (const key of known) {
    const value = (options as Record<string, unknown>)[key];
    const r = (rules as Record<string, Rule>)[key]!;
    if (value !== undefined || r.required) checkValue(where, key, value, r);
  }
}
