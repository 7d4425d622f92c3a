import { defineConfig } from 'vite';

const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

// The playground: static files in web/dist after `npm run build:web`, nothing fetched from outside.
export default defineConfig({
  root: 'web',
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  // csv-parse's browser build carries its own Buffer; the Node build needs Node's.
  resolve: { alias: { 'csv-parse/sync': 'csv-parse/browser/esm/sync' } },
  worker: { format: 'es' },
  // Cross-origin isolation: SharedArrayBuffer, so the kernels' memory is shared with their worker
  // threads. Everything the page loads is its own origin's, which COEP require-corp allows.
  server: { host: '127.0.0.1', headers: ISOLATION },
  preview: { host: '127.0.0.1', headers: ISOLATION },
});
