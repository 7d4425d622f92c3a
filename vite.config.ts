import { defineConfig } from 'vite';

// The playground: static files in web/dist after `npm run build:web`, nothing fetched from outside.
export default defineConfig({
  root: 'web',
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  // csv-parse's browser build carries its own Buffer; the Node build needs Node's.
  resolve: { alias: { 'csv-parse/sync': 'csv-parse/browser/esm/sync' } },
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
