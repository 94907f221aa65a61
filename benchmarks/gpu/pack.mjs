#!/usr/bin/env node
// Packs what `bench --gpu` needs on a GPU machine that has no network and no Node, small enough to carry
// (the device tool carries 64 MiB with the working tree): the Node binary, the packages the benchmark loads
// at run time (none of the build tools; not sharp or onnxruntime-node, which only the CPU sections use), the
// built dist/ folders, the Vulkan loader Dawn reaches the GPU through, and env.sh to unpack it all there.
//
//   npm ci && npm run build && node benchmarks/gpu/pack.mjs     (writes .gpu/, ignored by git)
//   then on the GPU machine, with .gpu carried:   bash benchmarks/gpu/run.sh
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
const out = join(root, '.gpu');
const LIMIT_MIB = 56;
/** Loaded only by the CPU sections (the loader, the onnxruntime baseline). */
const SKIP = new Set(['sharp', 'onnxruntime-node']);
/** Never needed at run time, in any package. */
const JUNK = /\.(map|ts|mts|cts|md|markdown|tsbuildinfo|html)$|(^|\/)(test|tests|__tests__|docs|example|examples)\//;

const exclude = join(root, '.git', 'info', 'exclude');
const excluded = existsSync(exclude) ? readFileSync(exclude, 'utf8') : '';
if (!excluded.split('\n').includes('/.gpu/')) writeFileSync(exclude, `${excluded.trimEnd()}\n/.gpu/\n`);
for (const dir of ['benchmarks/dist', ...readdirSync(join(root, 'packages')).map((p) => `packages/${p}/dist`)]) {
  if (!existsSync(join(root, dir))) throw new Error(`${dir} is missing: run 'npm run build' first`);
}

/** The installed package `name` as seen from `from` (Node's lookup: node_modules folders up to the root). */
function resolve(name, from) {
  for (let dir = from; dir.startsWith(root); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
  }
  return undefined;
}

function walk(dir, keep, files) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') walk(path, keep, files);
    else if (entry.isFile() && keep(relative(root, path))) files.push(relative(root, path));
  }
}

/** A package's run-time files; tfjs' packages are one bundle (their `main`) plus wasm binaries, Dawn one platform's build. */
function packageFiles(dir, pkg) {
  const files = [];
  if (pkg.name.startsWith('@tensorflow/')) {
    const main = join(dir, pkg.main);
    walk(dir, (p) => join(root, p) === main || p.endsWith('package.json') || /\.wasm$|wasm-out\/.*\.js$/.test(p), files);
  } else if (pkg.name === 'webgpu') {
    walk(dir, (p) => !JUNK.test(p) && (!p.includes('/dist/') || p.includes(`/dist/${process.platform}-${process.arch}/`)), files);
  } else {
    walk(dir, (p) => !JUNK.test(p), files);
  }
  return files;
}

// The run-time dependency closure of the benchmark workspace (workspace packages through their links).
const files = [];
const links = [];
const seen = new Set();
const queue = [join(root, 'benchmarks')];
while (queue.length > 0) {
  const dir = queue.shift();
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const deps = { ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies };
  for (const name of Object.keys(deps)) {
    if (SKIP.has(name)) continue;
    const found = resolve(name, dir);
    if (!found) continue; // an optional or peer dependency not installed here (tfjs-node, say)
    const real = realpathSync(found);
    if (lstatSync(found).isSymbolicLink()) links.push(relative(root, found));
    if (seen.has(real)) continue;
    seen.add(real);
    queue.push(real);
  }
  if (dir === join(root, 'benchmarks') || dir.startsWith(join(root, 'packages'))) {
    walk(join(dir, 'dist'), (p) => !p.endsWith('.map'), files);
    files.push(relative(root, join(dir, 'package.json')));
  } else {
    files.push(...packageFiles(dir, pkg));
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out);
const list = join(out, 'files.txt');
writeFileSync(list, [...new Set([...files, ...links])].join('\n'));
const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);
const raw = files.reduce((n, f) => n + statSync(join(root, f)).size, 0);
console.log(`packing ${files.length} files (${mib(raw)} MiB) from ${seen.size} packages, and node ${process.version}`);
execFileSync('sh', ['-c', `tar -C "${root}" -cf - -T "${list}" | xz -T0 -6 > "${out}/tree.tar.xz"`], { stdio: 'inherit' });
execFileSync('sh', ['-c', `xz -T0 -6 -c "${process.execPath}" > "${out}/node.xz"`], { stdio: 'inherit' });
rmSync(list);
// NVIDIA's Vulkan driver (libGLX_nvidia) is reached through the Vulkan loader and libglvnd's dispatch libraries;
// a bare CUDA machine has neither (seen on an H200 machine: "Could not get 'vkCreateInstance' … libGLX_nvidia").
const LOADERS = ['libvulkan1', 'libglvnd0', 'libgl1', 'libglx0', 'libegl1', 'libopengl0', 'libgles2'];
try {
  execFileSync('apt-get', ['download', ...LOADERS], { cwd: out, stdio: 'ignore' });
} catch {
  console.log(`note: could not fetch ${LOADERS.join(' ')} (run 'apt-get update' first); the GPU machine must then have them`);
}
copyFileSync(join(root, 'benchmarks', 'gpu', 'env.sh'), join(out, 'env.sh'));
const total = readdirSync(out).reduce((n, f) => n + statSync(join(out, f)).size, 0);
for (const f of readdirSync(out)) console.log(`  ${mib(statSync(join(out, f)).size).padStart(6)} MiB  .gpu/${f}`);
if (total > LIMIT_MIB * 2 ** 20) throw new Error(`.gpu is ${mib(total)} MiB: over the ${LIMIT_MIB} MiB that can travel beside the working tree`);
console.log(`ok: .gpu is ${mib(total)} MiB`);
