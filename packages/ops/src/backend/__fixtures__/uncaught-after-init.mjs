// Run by init-backend.test.ts in a child process: initBackend('wasm'), then an error nobody catches.
import { initBackend } from '../../../dist/index.js';

const [threads, kind] = process.argv.slice(2);
const count = () => ['uncaughtException', 'unhandledRejection'].map((event) => process.listeners(event).length);
const before = count();
await initBackend('wasm', { threads: Number(threads) });
console.log(JSON.stringify({ before, after: count() }));
if (kind === 'throw') setTimeout(() => { throw new Error('user error'); });
else Promise.reject(new Error('user error'));
