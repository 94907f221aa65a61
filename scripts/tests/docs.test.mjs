// Every README and docs page as a new user meets them: in a fresh project that installs the packed packages
// (dist-release/, from `npm run release:dry`; third-party packages from the registry), each page's code blocks run
// as written, in order (scripts/tests/snippets.mjs says which run). `npm install @mobilenets/…` installs the
// tarballs, since nothing is published yet. Package READMEs also declare every package their code imports (strict
// package managers refuse undeclared imports) and link only by absolute URL (the registry page has no ../docs).
// Run: node --test scripts/tests/docs.test.mjs
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { extractSnippets, importedPackages, installedPackages, runSnippets } from './snippets.mjs';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const packs = join(root, 'dist-release');

const tarballs = Object.fromEntries(
  (await readdir(packs).catch(() => []))
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => [`@mobilenets/${f.replace(/^mobilenets-(.+)-\d+\.\d+\.\d+.*\.tgz$/, '$1')}`, join(packs, f)]),
);
const packageReadmes = (await readdir(join(root, 'packages'))).sort().map((p) => join(root, 'packages', p, 'README.md'));
const docs = (await readdir(join(root, 'docs'))).filter((f) => f.endsWith('.md')).sort().map((f) => join(root, 'docs', f));
const documents = [join(root, 'README.md'), ...packageReadmes, ...docs];

/** Each package's @mobilenets dependencies, and theirs: what the registry would resolve for it. */
const manifests = Object.fromEntries(
  await Promise.all(packageReadmes.map(async (r) => JSON.parse(await readFile(join(r, '../package.json'), 'utf8')))).then((ms) => ms.map((m) => [m.name, m])),
);
const withSiblings = (name, found = new Set()) => {
  found.add(name);
  for (const dep of Object.keys(manifests[name]?.dependencies ?? {})) if (dep in manifests && !found.has(dep)) withSiblings(dep, found);
  return found;
};

/**
 * `npm install @mobilenets/zoo …` as written, the tarballs standing in for the registry: each package named becomes
 * its tarball and those of the siblings it depends on (which the registry would have given).
 */
const toTarballs = (code) =>
  code.replace(/npm install [^\n]+/g, (line) => {
    const named = line.match(/@mobilenets\/[a-z]+/g) ?? [];
    const packs = [...new Set(named.flatMap((name) => [...withSiblings(name)]))].map((name) => tarballs[name] ?? name);
    return [line.replace(/\s*@mobilenets\/[a-z]+/g, ''), ...packs].join(' ');
  });

describe('package READMEs, as the registry shows them', () => {
  for (const readme of packageReadmes) {
    it(`${relative(root, readme)}: its code imports only what its npm install line names, and links absolutely`, async () => {
      const text = await readFile(readme, 'utf8');
      const installed = installedPackages(text);
      assert.ok(installed.size > 0, 'no npm install line');
      for (const s of extractSnippets(text).filter((s) => s.lang === 'ts' || s.lang === 'js')) {
        for (const name of importedPackages(s.code)) assert.ok(installed.has(name), `line ${s.line} imports ${name}, which the install line lacks`);
      }
      const relativeLinks = [...text.matchAll(/\]\((?!https?:|#|mailto:)([^)]+)\)/g)].map((m) => m[1]);
      assert.deepEqual(relativeLinks, []);
    });
  }
});

describe('every code block of the READMEs and docs, in a fresh project', () => {
  let app;
  before(async () => {
    assert.ok(Object.keys(tarballs).length > 0, `no tarballs in ${packs}: run npm run release:dry first`);
    app = await mkdtemp(join(tmpdir(), 'mobilenets-docs-'));
    await exec('npm', ['init', '-y'], { cwd: app });
    // The project has what every page may import; a page that makes its own project (npm init) installs its own.
    await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...Object.values(tarballs), '@tensorflow/tfjs-core@^4.22.0', '@tensorflow/tfjs-layers@^4.22.0', 'sharp@^0.35.5'], {
      cwd: app,
      timeout: 600_000,
    });
  });
  after(() => rm(app, { recursive: true, force: true }));

  for (const doc of documents) {
    it(relative(root, doc), { timeout: 1_800_000 }, async (t) => {
      const text = await readFile(doc, 'utf8');
      if (!extractSnippets(text).some((s) => s.runs)) return t.skip('no runnable block');
      const cwd = join(app, relative(root, doc).replace(/[/.]/g, '_'));
      await mkdir(cwd);
      for (const { line, stdout, seconds } of await runSnippets(doc, { cwd, rewrite: toTarballs })) {
        t.diagnostic(`line ${line} (${seconds.toFixed(0)} s):\n${stdout.trimEnd()}`);
      }
    });
  }
});
