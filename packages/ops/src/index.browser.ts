// The package in a page (the `browser` export condition): initBackend on browsers' wasm threads and navigator.gpu.
export * from './portable.js';
export { initBackend, type InitBackendOptions } from './backend/init-backend.browser.js';
