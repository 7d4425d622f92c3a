import { createRequire } from 'node:module';
import type { Matrix } from '../src/matrix.js';
import type { Parameters } from '../src/nn/parameters.js';
import { tfjsModel } from './tfjs-model.js';
import { timeSteps } from './timing.js';

// The JavaScript peers, each set up with the same X, Y and initial weights as deepnet, each running
// its own idiomatic version of the course's full-batch iteration.

/** A library under test: `run(k)` does k training iterations and returns each one's time in ms. */
export interface Runner {
  name: string;
  note?: string;
  run(k: number): Promise<number[]>;
  /** The cost of the first iteration, when the library reports one (a check that it runs the same model). */
  cost0?: number;
  dispose(): void;
}

const require = createRequire(import.meta.url);

/** TensorFlow.js (tfjs-core + one backend), the course's model written with tf ops and tf.train.sgd. */
export async function tfjsRunner(backend: 'wasm' | 'cpu', X: Matrix, Y: Matrix, init: Parameters, L: number): Promise<Runner> {
  // The union package registers the gradients (tfjs-core alone has none); CommonJS, as its Node build is.
  const tf: typeof import('@tensorflow/tfjs') = require('@tensorflow/tfjs');
  if (backend === 'wasm') {
    const wasm: typeof import('@tensorflow/tfjs-backend-wasm') = require('@tensorflow/tfjs-backend-wasm');
    // One thread, as the issue measures it (the threaded build needs cross-origin isolation in browsers).
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setThreadsCount(1);
  }
  await tf.setBackend(backend);
  await tf.ready();
  const model = tfjsModel(tf, X, Y, init, L);
  const step = () => {
    const J = model.step();
    const v = J.dataSync()[0]!;
    J.dispose();
    return v;
  };
  const cost0 = step();
  return {
    name: `TensorFlow.js ${backend} f32`,
    note: backend === 'wasm' ? 'XNNPACK, SIMD, 1 thread' : undefined,
    cost0,
    async run(k) {
      // TF.js has one current backend per process: take it back from the other TF.js runner, and
      // let one untimed step move the variables' data over.
      if (tf.getBackend() !== backend) {
        await tf.setBackend(backend);
        step();
      }
      return timeSteps(step, k);
    },
    dispose() {
      model.dispose();
    },
  };
}

/**
 * ConvNetJS: fc + relu layers, and for the output a 2-way softmax whose class-0 logit starts at
 * zero, which is sigmoid + cross-entropy. Its SGD trainer with batch_size = m averages the m
 * per-sample gradients: full-batch gradient descent, one sample at a time.
 */
export function convnetRunner(X: Matrix, Y: Matrix, init: Parameters, dims: readonly number[]): Runner {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const convnetjs: any = require('convnetjs');
  const L = dims.length - 1;
  const defs: object[] = [{ type: 'input', out_sx: 1, out_sy: 1, out_depth: dims[0] }];
  for (let l = 1; l < L; l++) defs.push({ type: 'fc', num_neurons: dims[l], activation: 'relu' });
  defs.push({ type: 'softmax', num_classes: 2 });
  const net = new convnetjs.Net();
  net.makeLayers(defs);
  // Copy the initial weights into the fc layers (in order); the output fc gets W_L as class 1.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const fcs = net.layers.filter((layer: any) => layer.layer_type === 'fc');
  for (let l = 1; l <= L; l++) {
    const W = init[`W${l}`]!;
    const b = init[`b${l}`]!;
    const fc = fcs[l - 1];
    for (let i = 0; i < W.rows; i++) {
      const row = l === L ? 1 : i;
      for (let j = 0; j < W.cols; j++) fc.filters[row].w[j] = W.get(i, j);
      fc.biases.w[row] = b.data[i];
    }
    if (l === L) {
      fc.filters[0].w.fill(0);
      fc.biases.w[0] = 0;
    }
  }
  const m = X.cols;
  const trainer = new convnetjs.Trainer(net, { method: 'sgd', learning_rate: 0.0075, batch_size: m, momentum: 0, l2_decay: 0 });
  const samples = Array.from({ length: m }, (_, s) => {
    const v = new convnetjs.Vol(1, 1, X.rows, 0);
    for (let f = 0; f < X.rows; f++) v.w[f] = X.data[f * m + s];
    return v;
  });
  const labels = Array.from(Y.data, (y) => (y > 0.5 ? 1 : 0));
  const step = () => {
    let cost = 0;
    for (let s = 0; s < m; s++) cost += trainer.train(samples[s], labels[s]).cost_loss;
    return cost / m;
  };
  const cost0 = step();
  return {
    name: 'ConvNetJS f64',
    note: 'per-sample loop, batch = m',
    cost0,
    async run(k) {
      return timeSteps(step, k);
    },
    dispose() {},
  };
}

/**
 * brain.js: its NeuralNetwork trains by online SGD (an update after every sample, with momentum),
 * so it cannot run the course's algorithm: the time reported is one epoch over the m samples.
 */
export function brainRunner(X: Matrix, Y: Matrix, dims: readonly number[]): Runner {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const brain: any = require('brain.js');
  const m = X.cols;
  const data = Array.from({ length: m }, (_, s) => {
    const input = new Float64Array(X.rows);
    for (let f = 0; f < X.rows; f++) input[f] = X.data[f * m + s]!;
    return { input: Array.from(input), output: [Y.data[s]!] };
  });
  const net = new brain.NeuralNetwork({ hiddenLayers: dims.slice(1, -1), activation: 'relu' });
  net.train(data, { iterations: 1, learningRate: 0.0075 });
  return {
    name: 'brain.js f64',
    note: 'DIFFERENT ALGORITHM: online SGD, time per epoch',
    async run(k) {
      return timeSteps(() => net.train(data, { iterations: 1, learningRate: 0.0075, keepNetworkIntact: true }), k);
    },
    dispose() {},
  };
}
