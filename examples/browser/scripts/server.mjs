// A static server for the demo and the browser tests, on 127.0.0.1 only. Under `/` it sends COOP/COEP headers,
// which make the page cross-origin isolated (SharedArrayBuffer: wasm threads); under `/plain/` the same files
// come without them (a page on one thread).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
};

const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' };

/**
 * Serves `mounts` (URL prefix → directory, e.g. `{ '/': 'dist' }`) and resolves to its origin and a close function.
 * Paths never leave their directory.
 */
export function startServer(mounts, port = 0) {
  const entries = Object.entries(mounts).sort(([a], [b]) => b.length - a.length);
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const plain = path.startsWith('/plain/');
    if (plain) path = path.slice('/plain'.length);
    const [prefix, dir] = entries.find(([p]) => path.startsWith(p)) ?? [];
    const file = dir && normalize(join(dir, path.slice(prefix.length) || 'index.html'));
    const headers = plain ? {} : ISOLATION;
    if (!file || !(file === normalize(dir) || file.startsWith(normalize(dir) + sep))) return void res.writeHead(403, headers).end();
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return void res.writeHead(404, headers).end('not found');
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': info.size, 'Cache-Control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      resolve({ origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((done) => server.close(done)) });
    });
  });
}
