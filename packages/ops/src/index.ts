export * from './portable.js';
export { initBackend, type InitBackendOptions } from './backend/init-backend.js';
