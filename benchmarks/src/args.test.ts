import { describe, expect, it } from 'vitest';
import { count, oneOf, UsageError } from './args.js';

describe('command-line values', () => {
  it('reads positive integers', () => {
    expect(count('batch', '32')).toBe(32);
    expect(count('runs', '1')).toBe(1);
  });

  it.each(['0', '-4', '2.5', 'x', '', ' '])('rejects --batch %j, naming the flag', (value) => {
    expect(() => count('batch', value)).toThrow(UsageError);
    expect(() => count('batch', value)).toThrow(`--batch must be a positive integer, got '${value}'`);
  });

  it('accepts only the listed choices', () => {
    expect(oneOf('backend', 'webgpu', ['wasm', 'webgpu'] as const)).toBe('webgpu');
    expect(() => oneOf('backend', 'gpu', ['wasm', 'webgpu'] as const)).toThrow(new UsageError("--backend must be one of wasm, webgpu, got 'gpu'"));
  });
});
