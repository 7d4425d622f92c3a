// The CLI as a few files: dist/bundle/deepnet.js and its lazily loaded chunks, bundled from the
// compiled dist/cli/main.js. Node's module loader costs about a millisecond per file, and a command
// loads some 110 of them: bundled, every command starts 60-90 ms sooner. Packages stay outside
// (loaded from node_modules as before), and every module of deepnet's own is inside, exactly once,
// so that classes and registries are the same ones whichever chunk uses them.
// dist/bundle/ sits at the depth of dist/cli/, so paths made from import.meta.url ('../../data/',
// '../cat-bytes/', '../jobs/trainer-thread.js') mean the same from either.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const root = fileURLToPath(new URL('../', import.meta.url));
const out = `${root}dist/bundle`;
rmSync(out, { recursive: true, force: true });
const bundle = await rolldown({
  input: { deepnet: `${root}dist/cli/main.js` },
  platform: 'node',
  // Bare specifiers are packages (and node: builtins); relative ones are deepnet's own modules.
  external: (id) => !id.startsWith('.') && !id.startsWith('/'),
  logLevel: 'warn',
});
await bundle.write({ dir: out, format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' });
await bundle.close();
