import { ConfigError, ShapeError } from '../errors.js';
import { assertSameDType, formatShape, type Matrix } from '../matrix.js';

// The checks every training entry point runs before its first iteration (gradientDescent, the
// options loop, Network.fit): in their own file so that those modules need not import each other.

/** The course's checks before training: X (n_x, m) and Y (n_L, m) agree on m and on the network. */
export function checkTrainingData(X: Matrix, Y: Matrix, layerDims: readonly number[], op = 'train'): void {
  const nX = layerDims[0]!;
  const nY = layerDims[layerDims.length - 1]!;
  if (X.rows !== nX) {
    const hint =
      X.cols === nX
        ? ` Hint: X looks like it holds one sample per row; the course's convention is one sample per COLUMN, so X must be (n_x, m) = (${X.cols}, ${X.rows}): transpose it (X.T).`
        : '';
    throw new ShapeError(`${op}: X ${formatShape(X.shape)} must have n[0] = ${nX} rows (one feature per row, one sample per column).${hint}`);
  }
  if (Y.cols !== X.cols || Y.rows !== nY) {
    const hint = Y.rows === X.cols && Y.cols === nY ? ' Hint: Y holds one label per row; transpose it to (n_L, m).' : '';
    throw new ShapeError(
      `${op}: Y ${formatShape(Y.shape)} must be (n[L], m) = (${nY}, ${X.cols}) to match X ${formatShape(X.shape)} and the output layer.${hint}`,
    );
  }
  assertSameDType(op, X, 'X', Y, 'Y');
}

export function checkLearningRate(learningRate: number): void {
  if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate <= 0) {
    throw new ConfigError(`learningRate must be a finite number > 0, got ${learningRate}`);
  }
}

export function checkIterations(iterations: number): void {
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new ConfigError(`iterations must be a non-negative integer, got ${iterations}`);
  }
}
