// Serves the built demo on http://127.0.0.1:8080 (PORT to change), cross-origin isolated (wasm threads).
import { startServer } from './server.mjs';

const { origin } = await startServer({ '/': new URL('../dist', import.meta.url).pathname }, Number(process.env.PORT ?? 8080));
console.log(`demo: ${origin}/  (without COOP/COEP, on one thread: ${origin}/plain/)`);
