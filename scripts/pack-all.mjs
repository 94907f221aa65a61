// Packs every public package under packages/ into a folder and checks what each tarball holds.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What a tarball may hold: the build, the README, the LICENSE and the manifest; nothing else. */
const ALLOWED = /^(package\.json|README\.md|LICENSE|dist\/.+)$/;
const REQUIRED = ['package.json', 'README.md', 'LICENSE'];

/** The publishable packages under `root`/packages, by directory. */
export async function publicPackages(root) {
  const found = [];
  for (const dir of (await readdir(join(root, 'packages'))).sort()) {
    const manifest = JSON.parse(await readFile(join(root, 'packages', dir, 'package.json'), 'utf8').catch(() => '{"private":true}'));
    if (!manifest.private) found.push({ dir: join(root, 'packages', dir), manifest });
  }
  return found;
}

/** The reasons a tarball's file list is wrong (empty when it is right). */
export function contentProblems(files) {
  const problems = files.filter((f) => !ALLOWED.test(f)).map((f) => `holds ${f}`);
  for (const f of REQUIRED) if (!files.includes(f)) problems.push(`lacks ${f}`);
  if (!files.some((f) => f.startsWith('dist/'))) problems.push('lacks dist/');
  return problems;
}

/**
 * `npm pack`s each public package of `root` into `dest` (npm runs each package's prepack, which copies the
 * LICENSE in) and throws if a tarball holds anything but dist, README, LICENSE and package.json.
 */
export async function packAll(root, dest) {
  const packed = [];
  for (const { dir, manifest } of await publicPackages(root)) {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dest], { cwd: dir, maxBuffer: 1 << 26 });
    const [info] = JSON.parse(stdout);
    const files = info.files.map((f) => f.path);
    const problems = contentProblems(files);
    if (problems.length > 0) throw new Error(`${manifest.name}: the tarball ${problems.join(', ')}`);
    packed.push({ name: manifest.name, version: info.version, tarball: join(dest, info.filename), files, size: info.size });
  }
  return packed;
}
