import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
// The built bin, as users run it (turbo builds the package before its tests).
const BIN = fileURLToPath(new URL('../../../dist/bin/summary.js', import.meta.url));

describe('mobilenets-summary', () => {
  it('prints the summary of a registered model', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'mobilenetv2_100']);
    expect(stdout).toContain('Trainable params: 3,504,872');
    expect(stdout).toContain('MACs: 300,774,272 (300.77 M)');
  });

  it('takes build options and prints JSON', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'mobilenetv1_100', '--width', '0.25', '--classes', '10', '--json']);
    const summary = JSON.parse(stdout) as { totals: { trainableParams: number } };
    // 470,072 at 1000 classes, less the classifier difference: 256 · (1000 − 10) weights and 990 biases.
    expect(summary.totals.trainableParams).toBe(470_072 - 256 * 990 - 990);
  });

  it('exits non-zero with the message, and no stack trace, for an unknown model or a bad option', async () => {
    const unknown = await run(process.execPath, [BIN, 'mobilenetv9']).catch((e: { code: number; stderr: string }) => e);
    expect(unknown).toMatchObject({ code: 1 });
    expect((unknown as { stderr: string }).stderr).toMatch(/^mobilenets-summary: unknown model 'mobilenetv9'; registered: /);
    expect((unknown as { stderr: string }).stderr).not.toMatch(/\n\s+at /);
    const bad = await run(process.execPath, [BIN, 'mobilenetv2_100', '--width', 'wide']).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringMatching(/--width must be a number, got 'wide'/) });
  });

  it('has help text', async () => {
    const { stdout } = await run(process.execPath, [BIN, '--help']);
    expect(stdout).toMatch(/^Usage: mobilenets-summary <model> \[options\]/);
  });
});
