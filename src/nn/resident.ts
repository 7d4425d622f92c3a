import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/select.js';
import type { Matrix } from '../matrix.js';
import type { Parameters } from './parameters.js';
import { Workspace } from './workspace.js';

/**
 * Runs a training run with X, Y and the parameters held in the current backend's own memory when it
 * has one (wasm), so its kernels read them in place instead of copying X (20 MB for the cat data) on
 * every product. During the run `parameters` holds those matrices (callbacks see them live); at the
 * end it gets the caller's matrices back, holding the trained values. `run` also gets the run's
 * Workspace, which its iterations take their per-iteration matrices from (freed at the end).
 */
export function withResidentData<T>(X: Matrix, Y: Matrix, parameters: Parameters, run: (X: Matrix, Y: Matrix, workspace: Workspace) => T): T {
  const held = hold(getBackend(), X, Y, parameters);
  try {
    return run(held.X, held.Y, held.workspace);
  } finally {
    held.restore();
  }
}

/**
 * withResidentData for a run that awaits (trainLoopAsync): the data stays resident across its
 * awaits and is given back when the run settles. `backend` is passed in because the current
 * backend is only set for each synchronous stretch of such a run.
 */
export async function withResidentDataAsync<T>(
  backend: Backend,
  X: Matrix,
  Y: Matrix,
  parameters: Parameters,
  run: (X: Matrix, Y: Matrix, workspace: Workspace) => Promise<T>,
): Promise<T> {
  const held = hold(backend, X, Y, parameters);
  try {
    return await run(held.X, held.Y, held.workspace);
  } finally {
    held.restore();
  }
}

/**
 * Copies X, Y and the parameters into the backend's memory; restore() copies the parameters back and
 * frees it all. An X already there (a data set loaded into it: the CLI's cat data) is read in place,
 * and only the packed forms made of it during the run are given back: it must not change meanwhile.
 */
function hold(backend: Backend, X: Matrix, Y: Matrix, parameters: Parameters): { X: Matrix; Y: Matrix; workspace: Workspace; restore: () => void } {
  const workspace = new Workspace(backend);
  if (!backend.allocate || !backend.release) return { X, Y, workspace, restore: () => workspace.dispose() };
  const allocate = backend.allocate.bind(backend);
  const release = backend.release.bind(backend);
  const held: Matrix[] = [];
  const originals: Parameters = { ...parameters };
  const inPlace = backend.isResident?.(X) === true;
  const restore = (): void => {
    for (const [k, P] of Object.entries(originals)) {
      if (parameters[k] !== P) P.data.set(parameters[k]!.data);
      parameters[k] = P;
    }
    for (const R of held) release(R);
    if (inPlace) backend.forgetPacked?.(X);
    workspace.dispose();
  };
  const resident = (M: Matrix): Matrix => {
    const R = allocate(M.rows, M.cols, M.dtype);
    held.push(R);
    R.data.set(M.data);
    return R;
  };
  try {
    const Xr = inPlace ? X : resident(X);
    // The run's own copy of X changes no more: gemm may pack it once for all its products.
    backend.keepPacked?.(Xr);
    const Yr = resident(Y);
    for (const k of Object.keys(parameters)) parameters[k] = resident(parameters[k]!);
    return { X: Xr, Y: Yr, workspace, restore };
  } catch (e) {
    restore();
    throw e;
  }
}
