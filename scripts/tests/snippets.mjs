// The fenced code of the READMEs and docs, run as written. A block runs when its language is `ts`, `js` or `sh`
// and its info string does not say `nocheck` (kept for what needs files or machines a test cannot have: pretrained
// weights to download, a clone of the repository, hours of training; the text beside it says so). A `ts` / `js`
// block whose first line is a comment naming a file (`// train.mts`) is saved as that file, as the reader does,
// for a later `sh` block to run; other `ts` / `js` blocks run as ES modules. The blocks of one document run in
// order in one working directory, so a later block may use what an earlier one wrote.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { transform } from 'esbuild';

const exec = promisify(execFile);
const FENCE = /^```(\S*)([^\n]*)\n([\s\S]*?)^```\s*$/gm;
const FILE_NAME = /^\/\/ ([\w./-]+\.[cm]?[jt]s)\n/;

/** The fenced blocks of a markdown text: `{ lang, runs, code, line, file }` (`file`: the name a block is saved as). */
export function extractSnippets(markdown) {
  return [...markdown.matchAll(FENCE)].map((m) => ({
    lang: m[1],
    runs: ['ts', 'js', 'sh'].includes(m[1]) && !/\bnocheck\b/.test(m[2]),
    code: m[3],
    line: markdown.slice(0, m.index).split('\n').length,
    file: m[1] === 'sh' ? undefined : m[3].match(FILE_NAME)?.[1],
  }));
}

/** The packages a block of code imports (bare specifiers, subpaths dropped; Node's built-ins left out). */
export function importedPackages(code) {
  const names = new Set();
  for (const [, spec] of code.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"./][^'"]*)['"]/g)) {
    if (spec.startsWith('node:') || builtinModules.includes(spec)) continue;
    names.add(spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/'));
  }
  return names;
}

/** The packages the `npm install` lines of a document name. */
export function installedPackages(markdown) {
  const names = new Set();
  for (const [, args] of markdown.matchAll(/npm install ([^\n`#]+)/g)) {
    for (const word of args.trim().split(/\s+/)) if (!word.startsWith('-')) names.add(word.replace(/(.)@[^/]*$/, '$1'));
  }
  return names;
}

/**
 * Runs the runnable blocks of `file` in order in `cwd` (which must resolve the packages: a project with them
 * installed, or a directory whose node_modules is the workspace's). `rewrite` may adapt a shell block before it
 * runs (the fresh-machine test points `npm install` at the packed tarballs). Returns each run block's
 * `{ line, stdout, stderr, seconds }`; throws on the first failing block, naming the document and line.
 */
export async function runSnippets(file, { cwd, env = {}, rewrite = (code) => code, timeout = 600_000 }) {
  const snippets = extractSnippets(await readFile(file, 'utf8')).filter((s) => s.runs);
  const path = `${cwd}/node_modules/.bin:${process.env.PATH}`;
  const outputs = [];
  for (const [i, s] of snippets.entries()) {
    const options = { cwd, timeout, maxBuffer: 1 << 26, env: { ...process.env, ...env, PATH: path } };
    const started = Date.now();
    try {
      if (s.lang === 'sh') {
        outputs.push({ line: s.line, ...(await exec('bash', ['-euo', 'pipefail', '-c', rewrite(s.code)], options)), seconds: (Date.now() - started) / 1000 });
      } else if (s.file) {
        await writeFile(join(cwd, s.file), s.code);
      } else {
        const { code } = await transform(s.code, { loader: s.lang, format: 'esm', target: 'node20' });
        const script = join(cwd, `snippet-${i}.mjs`);
        await writeFile(script, code);
        outputs.push({ line: s.line, ...(await exec(process.execPath, [script], options)), seconds: (Date.now() - started) / 1000 });
      }
    } catch (err) {
      throw new Error(`${file}:${s.line}: the ${s.lang} block failed:\n${err.stderr || err.message}`, { cause: err });
    }
  }
  return outputs;
}
