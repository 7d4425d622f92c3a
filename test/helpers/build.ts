import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The CLI runs from dist/: build it once before the tests, so spawned commands run the current source.
export default function setup(): void {
  // DEEPNET_SKIP_BUILD=1 reuses the dist/ that is there (a quicker edit-test loop on library code).
  if (process.env.DEEPNET_SKIP_BUILD === '1' || process.env.DEEPNET_BUILT === '1') return;
  // Each test project (node, browser) runs this setup, in the same process: build once.
  process.env.DEEPNET_BUILT = '1';
  const root = fileURLToPath(new URL('../../', import.meta.url));
  // The wasm kernels are compiled from source (src/backend/wasm/kernels.as) before TypeScript.
  execFileSync(process.execPath, ['src/backend/wasm/build.mjs'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  // The cat data's raw bytes beside the compiled code, as `npm run build` writes them.
  execFileSync(process.execPath, ['scripts/cat-bytes.mjs'], { cwd: root, stdio: 'inherit' });
  // The CLI bundled, as bin/deepnet.js runs it.
  execFileSync(process.execPath, ['scripts/bundle-cli.mjs'], { cwd: root, stdio: 'inherit' });
}
