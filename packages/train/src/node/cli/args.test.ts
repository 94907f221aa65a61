import { describe, expect, it } from 'vitest';
import { completeRun, FLAGS, HELP, parseCli } from './args.js';

describe('mobilenets-train arguments', () => {
  it('--help lists every flag and shows each one in an example', () => {
    const [options, examples] = HELP.split('\nExamples:\n');
    for (const flag of Object.keys(FLAGS)) {
      expect(options, flag).toMatch(new RegExp(`^  (-h, )?--${flag}\\b`, 'm'));
      if (flag !== 'help') expect(examples, flag).toMatch(new RegExp(`--${flag}\\b`));
    }
  });

  it('--help examples can be pasted into a shell: a long command continues after a backslash, indented', () => {
    const lines = HELP.split('\nExamples:\n')[1]!.trimEnd().split('\n');
    for (const [i, line] of lines.entries()) {
      // A command joined onto one line by a lost continuation shows as a run of spaces inside it.
      expect(line.trim(), line).not.toMatch(/ {2}/);
      const continued = lines[i - 1]?.endsWith(' \\') ?? false;
      expect(line, line).toMatch(continued ? /^ {4}--/ : /^ {2}(# |mobilenets-train )/);
    }
  });

  it('--width, --block, --train-images and --freeze-up-to (a layer name or an index)', () => {
    const run = parseCli(['--width', '0.35', '--block', 'sandglass', '--train-images', '600', '--freeze-up-to', 'blocks_3_0']).run;
    expect(run).toEqual({ width: 0.35, block: 'sandglass', trainImages: 600, freezeUpTo: 'blocks_3_0' });
    expect(parseCli(['--freeze-up-to', '7']).run.freezeUpTo).toBe(7);
    expect(completeRun({ model: 'mobilenetv2_100', data: 'fashion-mnist' })).toMatchObject({ width: null, block: null, trainImages: null, freezeUpTo: null });
  });

  it.each([
    [['--block', 'bneck'], /--block: must be one of inverted_residual, sandglass, got 'bneck'/],
    [['--width', '0'], /--width: must be a positive number, got '0'/],
    [['--train-images', '1.5'], /--train-images: must be a positive integer, got '1.5'/],
    [['--freeze', '--freeze-up-to', 'head'], /--freeze-up-to: cannot be used together with --freeze/],
    [['--resume', '--overwrite'], /--overwrite: cannot be used together with --resume/],
  ])('%j → %s', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(message);
  });
});
