// Where an iteration's time goes: each backend call timed by kind and shape (a development aid:
// node bench/build/bench/profile.js float32 2 [gram|direct], after npm run bench or tsc -p bench/tsconfig.json).
import { withBackend } from '../src/backend/select.js';
import { WasmBackend } from '../src/backend/wasm/wasm-backend.js';
import type { Matrix } from '../src/matrix.js';
import { initializeParametersDeep } from '../src/nn/init.js';
import { trainLoop } from '../src/nn/trainLoop.js';
import { catData } from './cat-data.js';

const dtype = (process.argv[2] ?? 'float32') as 'float32' | 'float64';
const threads = Number(process.argv[3] ?? 1);
const gram = process.argv[4] === 'gram' ? 'on' : 'off';
const { train } = await catData();
const b = new WasmBackend({ threads });
await b.ready();
const totals = new Map<string, number[]>();
for (const name of ['gemm', 'addBias', 'biasActivationForward', 'activationForward', 'activationBackward', 'rowSums', 'axpy'] as const) {
  const f = (b[name] as (...a: unknown[]) => void).bind(b);
  (b as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
    const t0 = performance.now();
    f(...args);
    const ms = performance.now() - t0;
    const shapes = args.filter((a): a is Matrix => typeof a === 'object' && a !== null && 'rows' in a).map((M) => `${M.rows}x${M.cols}`);
    const flags = name === 'gemm' ? `${args[0] ? 'T' : 'N'}${args[1] ? 'T' : 'N'} ` : '';
    const key = `${name} ${flags}${shapes.join(' ')}`;
    (totals.get(key) ?? totals.set(key, []).get(key)!).push(ms);
  };
}
const init = initializeParametersDeep([12288, 20, 7, 5, 1], { seed: 1, dtype });
let t0 = 0;
const iters: number[] = [];
withBackend(b, () =>
  trainLoop(train.X.astype(dtype), train.Y.astype(dtype), init, {
    iterations: 60,
    gram,
    onIteration: () => {
      const now = performance.now();
      if (t0) iters.push(now - t0);
      t0 = now;
    },
  }),
);
iters.sort((a, c) => a - c);
console.log(`iteration: min ${iters[0]!.toFixed(2)} median ${iters[iters.length >> 1]!.toFixed(2)} ms`);
let inKernels = 0;
for (const [k, v] of totals) {
  // Per iteration: the once-per-run products (the Gram form's K, C0 and final W1) are the calls seen once.
  if (v.length >= 59) inKernels += v.reduce((a, c) => a + c, 0) / v.length * Math.round(v.length / 60);
  v.sort((a, c) => a - c);
  console.log(`${k.padEnd(60)} n=${v.length} min ${v[0]!.toFixed(3)} median ${v[v.length >> 1]!.toFixed(3)}`);
}
console.log(`mean per iteration in kernels ${inKernels.toFixed(3)} ms; the rest (JS: Z = s·C0 + P, the U update, costs, dZ) is the iteration less that`);
console.log("chunks by thread", b.chunksByThread());
process.exit(0);
