// `npm run release:dry`: what `changeset version` then `changeset publish` would release, without touching the
// repository. Versions the packages in a temporary copy (the changesets consumed, a CHANGELOG per package), checks
// the versions and sibling ranges, and packs every package into dist-release/ (see pack-all.mjs for what a
// tarball may hold). Run after `npm run build`.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { packAll, publicPackages } from './pack-all.mjs';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const dest = join(root, 'dist-release');

const copy = await mkdtemp(join(tmpdir(), 'mobilenets-release-'));
try {
  // What `changeset version` reads and `npm pack` packs: manifests, changesets, READMEs, builds, the LICENSE.
  for (const path of ['package.json', '.changeset', 'LICENSE', 'scripts/prepack.mjs', 'benchmarks/package.json']) {
    await cp(join(root, path), join(copy, path), { recursive: true });
  }
  for (const { dir } of await publicPackages(root)) {
    for (const path of ['package.json', 'README.md', 'dist']) await cp(join(dir, path), join(copy, relative(root, dir), path), { recursive: true });
  }
  await symlink(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  await run(process.execPath, [join(root, 'node_modules/@changesets/cli/bin.js'), 'version'], { cwd: copy });

  const packages = await publicPackages(copy);
  const versions = new Map(packages.map(({ manifest }) => [manifest.name, manifest.version]));
  const problems = [];
  await rm(dest, { recursive: true, force: true });
  await mkdir(join(dest, 'changelogs'), { recursive: true });
  for (const { dir, manifest } of packages) {
    if (manifest.version === '0.0.0') problems.push(`${manifest.name}: no changeset, so no version`);
    for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
      if (versions.has(dep) && range !== `^${versions.get(dep)}`) problems.push(`${manifest.name}: depends on ${dep}@${range}, not ^${versions.get(dep)}`);
    }
    const changelog = await readFile(join(dir, 'CHANGELOG.md'), 'utf8').catch(() => '');
    if (!changelog.includes(`## ${manifest.version}`)) problems.push(`${manifest.name}: CHANGELOG.md has no ${manifest.version} section`);
    await writeFile(join(dest, 'changelogs', `${manifest.name.replace('@mobilenets/', '')}.md`), changelog);
  }
  if (problems.length > 0) throw new Error(`release:dry:\n  ${problems.join('\n  ')}`);

  const packed = await packAll(copy, dest);
  console.log(`release:dry: ${packed.length} packages versioned and packed into ${relative(root, dest)}/ (CHANGELOGs in ${relative(root, dest)}/changelogs/)`);
  for (const p of packed) console.log(`  ${p.name}@${p.version}  ${(p.size / 1024).toFixed(0)} kB packed, ${p.files.length} files`);
} finally {
  await rm(copy, { recursive: true, force: true });
}
