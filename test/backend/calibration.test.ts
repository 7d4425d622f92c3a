import { describe, expect, it } from 'vitest';
import { calibrations } from '../../src/backend/wasm/blocking.js';
import { WasmBackend } from '../../src/backend/wasm/wasm-backend.js';
import { withBackend } from '../../src/backend/select.js';
import { Matrix } from '../../src/matrix.js';
import { initializeParametersDeep } from '../../src/nn/init.js';
import { predict } from '../../src/nn/model.js';
import { trainLoop } from '../../src/nn/trainLoop.js';
import { NumpyRandom } from '../../src/random.js';

// gemm calibrates the processor's blocking (10-40 ms) only for a product that the candidates would
// cut into different blocks. This file has its own module state (vitest isolates files), so the
// calibrations it sees are the ones its own products asked for.

describe('the blocking is calibrated only where it changes how a product is cut', () => {
  it("the cat network's Gram run on two threads calibrates nothing; a 300³ product does, once", async () => {
    const b = new WasmBackend({ threads: 2 });
    await b.ready();
    const r = new NumpyRandom(3);
    const X = new Matrix(12288, 209, Float64Array.from(r.rand(12288, 209)));
    const Y = new Matrix(1, 209, Float64Array.from(r.rand(1, 209), (u) => (u < 0.5 ? 0 : 1)));
    const parameters = initializeParametersDeep([12288, 20, 7, 5, 1], { seed: 1 });
    // K = Xᵀ·X, C0 = W0·X, U·K each iteration, W1 = s·W0 + U·Xᵀ at the end, then W1·X to predict.
    const history = withBackend(b, () => trainLoop(X, Y, parameters, { iterations: 3, learningRate: 0.0075, gram: 'on' }));
    expect(history.loss).toHaveLength(3);
    withBackend(b, () => predict(X, parameters));
    expect(calibrations()).toEqual([]);

    // 300 rows of A: the candidates' panels (32, 64 or 128 columns in float64) give different blocks.
    const A = new Matrix(300, 300, Float64Array.from(r.rand(300, 300)));
    const C = Matrix.zeros(300, 300);
    b.gemm(false, false, 1, A, A, 0, C);
    expect(calibrations().map((c) => c.elementBytes)).toEqual([8]);
    b.gemm(false, false, 1, A, A, 0, C);
    expect(calibrations()).toHaveLength(1);
    b.dispose();
  });
});
