import { getBackend } from '../backend/select.js';
import type { Matrix } from '../matrix.js';
import type { Parameters } from './parameters.js';

/**
 * Runs a training run with X, Y and the parameters held in the current backend's own memory when it
 * has one (wasm), so its kernels read them in place instead of copying X (20 MB for the cat data) on
 * every product. During the run `parameters` holds those matrices (callbacks see them live); at the
 * end it gets the caller's matrices back, holding the trained values.
 */
export function withResidentData<T>(X: Matrix, Y: Matrix, parameters: Parameters, run: (X: Matrix, Y: Matrix) => T): T {
  const backend = getBackend();
  if (!backend.allocate || !backend.release) return run(X, Y);
  const allocate = backend.allocate.bind(backend);
  const release = backend.release.bind(backend);
  const held: Matrix[] = [];
  const resident = (M: Matrix): Matrix => {
    const R = allocate(M.rows, M.cols, M.dtype);
    held.push(R);
    R.data.set(M.data);
    return R;
  };
  const originals: Parameters = { ...parameters };
  try {
    const Xr = resident(X);
    const Yr = resident(Y);
    for (const k of Object.keys(parameters)) parameters[k] = resident(parameters[k]!);
    return run(Xr, Yr);
  } finally {
    for (const [k, P] of Object.entries(originals)) {
      if (parameters[k] !== P) P.data.set(parameters[k]!.data);
      parameters[k] = P;
    }
    for (const R of held) release(R);
  }
}
