import type { Matrix } from '../src/matrix.js';
import type { Parameters } from '../src/nn/parameters.js';

// The course's model in TensorFlow.js ops with tf.train.sgd, shared by the Node peers (wasm, cpu)
// and the WebGPU page; no Node imports, so the page's bundle can hold it.

type Tf = typeof import('@tensorflow/tfjs');

export interface TfjsModel {
  /** One full-batch step; its cost as a scalar tensor, which the caller reads and disposes. */
  step(): import('@tensorflow/tfjs').Scalar;
  dispose(): void;
}

/**
 * L layers, relu hidden; a sigmoid output with BCE, or a softmax output with categorical
 * cross-entropy (Y one-hot, (K, m)). Weights from `init`, cast to float32.
 */
export function tfjsModel(tf: Tf, X: Matrix, Y: Matrix, init: Parameters, L: number, output: 'sigmoid' | 'softmax' = 'sigmoid', learningRate = 0.0075): TfjsModel {
  const Xt = tf.tensor2d(Float32Array.from(X.data), [X.rows, X.cols], 'float32');
  const Yt = tf.tensor2d(Float32Array.from(Y.data), [Y.rows, Y.cols], 'float32');
  // tf.logSoftmax works along the last axis: the samples' classes as rows.
  const YT = output === 'softmax' ? tf.transpose(Yt) : undefined;
  const vars: Record<string, ReturnType<typeof tf.variable>> = {};
  for (const [k, P] of Object.entries(init)) vars[k] = tf.variable(tf.tensor2d(P.toArray(), [P.rows, P.cols], 'float32'));
  const opt = tf.train.sgd(learningRate);
  const m = X.cols;
  const loss = () => {
    let A: import('@tensorflow/tfjs').Tensor = Xt;
    for (let l = 1; l <= L; l++) {
      const Z = tf.add(tf.matMul(vars[`W${l}`]!, A), vars[`b${l}`]!);
      A = l < L ? tf.relu(Z) : output === 'sigmoid' ? tf.sigmoid(Z) : Z;
    }
    if (YT) return tf.mul(tf.sum(tf.mul(YT, tf.logSoftmax(tf.transpose(A)))), -1 / m) as import('@tensorflow/tfjs').Scalar;
    // -(1/m) Σ (y log a + (1-y) log(1-a))
    const ll = tf.add(tf.mul(Yt, tf.log(A)), tf.mul(tf.sub(1, Yt), tf.log(tf.sub(1, A))));
    return tf.mul(tf.sum(ll), -1 / m) as import('@tensorflow/tfjs').Scalar;
  };
  return {
    step: () => opt.minimize(loss, true)!,
    dispose() {
      for (const v of Object.values(vars)) v.dispose();
      for (const t of [Xt, Yt, YT]) t?.dispose();
      opt.dispose();
    },
  };
}
