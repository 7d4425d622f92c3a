// Messages between the page (main thread) and the training worker. Matrices travel as plain arrays
// or typed arrays; the worker owns the Network.

export type DataName = 'planar' | 'xor' | 'circles' | 'moons' | 'spiral' | 'gaussian' | 'cat';

/**
 * A built-in data set: `noise` is the generator's noise σ (the synthetic sets'), `trainPercent` the
 * share of the samples trained on (the rest is the test split); planar and cat ignore both.
 */
export type DataSpec = { kind: 'builtin'; name: DataName; seed: number; noise: number; trainPercent: number } | { kind: 'csv'; name: string; text: string };

/** The test split's share as trainTestSplit takes it: the page and the worker count m alike. */
export function testFraction(trainPercent: number): number {
  return (100 - trainPercent) / 100;
}

export interface LayerSpec {
  units: number;
  activation: string;
}

export interface NetworkSpec {
  hidden: LayerSpec[];
  output: string;
  cost: string;
  init: string;
  seed: number;
  learningRate: number;
  iterations: number;
  optimizer: string;
  /** Samples per mini-batch; null: full batch (then an epoch is one iteration). */
  batchSize: number | null;
  /** L2 regularisation λ. */
  lambd: number;
  /** Dropout's keep_prob on every hidden layer (1: none). */
  keepProb: number;
  dtype: 'float64' | 'float32';
  /** The kernels: WebAssembly on the CPU, or the GPU through WebGPU (float32, full-batch gradient descent). */
  backend: KernelsName;
}

export type KernelsName = 'wasm' | 'webgpu';

/** What the worker's navigator.gpu gave: the adapter, or why there is none (the page offers the GPU only with one). */
export type GpuInfo = { adapterName: string; software: boolean } | { adapterName: null; reason: string };

/** What applies to a running network from its next iteration, without building it again. */
export type TrainingSpec = Pick<NetworkSpec, 'learningRate' | 'iterations' | 'batchSize' | 'lambd' | 'keepProb'>;

export type ToWorker =
  /** `threads`: the kernels' threads (the page's ?threads=N); absent, the worker uses the cores it may. */
  /** `normalize`: a CSV's input normalisation by its training set's statistics, as the CLI's --normalize. */
  /** `build`: the page's count of networks asked for (configure and load), echoed in what the network sends back. */
  | { type: 'configure'; build: number; data: DataSpec; network: NetworkSpec; normalize: 'none' | 'standard' | 'minmax'; catTrain?: CatBytes; catTest?: CatBytes; threads?: number }
  | { type: 'start' }
  /** New training settings, applied from the next iteration (the network and its training go on). */
  | { type: 'update'; training: TrainingSpec }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'trace' }
  | { type: 'save' }
  | { type: 'load'; build: number; bytes: ArrayBuffer; name: string };

/** The cat images as the page fetched them: uint8 pixels feature by feature, (12288, m) as X (x[f·m + s]), and labels (m). */
export interface CatBytes {
  x: Uint8Array;
  y: Uint8Array;
  m: number;
}

export interface DataSummary {
  name: string;
  nX: number;
  m: number;
  mTest: number;
  classes: string[];
  /** For 2-D data: the points (x1, x2, label) to draw, train then test. */
  points?: { x1: Float32Array; x2: Float32Array; label: Uint8Array; test: Uint8Array };
  extent?: [number, number, number, number];
}

export interface Progress {
  iteration: number;
  costs: [number, number][];
  /** The cost on the test split after each iteration's update, where the data have one. */
  testCosts: [number, number][];
  trainAccuracy: number;
  testAccuracy: number | null;
  iterationsPerSecond: number;
  running: boolean;
  done: boolean;
  /** Class probabilities over the boundary grid, row-major from the top-left (K = 1: P(class 1)). */
  boundary?: { size: number; K: number; values: Float32Array };
  /**
   * Each shown hidden unit's A[l] over the plane (2-feature data), as RGBA pixels of size x size:
   * units[l - 1][i] is unit i of layer l, coloured in the worker so the page only puts them.
   */
  units?: { size: number; pixels: Uint8ClampedArray<ArrayBuffer>[][] };
  /** Small weights for the network drawing; layers with more than 400 weights are summarised. */
  weights?: { W: (number[][] | null)[]; maxAbs: number };
  /** For the cat data: predicted labels and probabilities of the test images. */
  testPredictions?: { predicted: Uint8Array; probability: Float32Array };
  /** Chunks of the large products each kernel thread has computed (0: the training worker itself). */
  chunksByThread: number[];
}

export interface TraceStep {
  phase: 'forward' | 'cost' | 'backward' | 'update';
  layer: number;
  formula: string;
  shapes: string;
  stats: string;
}

export type FromWorker =
  /** Sent once, when the worker has asked navigator.gpu for an adapter. */
  | { type: 'gpu'; gpu: GpuInfo }
  /** `threads`: what the kernels' large products run on (1 unless the page is cross-origin isolated). */
  | {
      type: 'ready';
      build: number;
      data: DataSummary;
      layerDims: number[];
      activations: string[];
      /** What runs, which may differ from the form: K > 2 classes get softmax + CE; a loaded model brings its own. */
      cost: string;
      dtype: 'float64' | 'float32';
      /** Whether the network normalises its inputs (a CSV's choice, or a loaded model's statistics). */
      normalized: boolean;
      loaded: boolean;
      backend: string;
      threads: number;
    }
  /** The kernels' threads once their workers have started (fewer than announced if some could not). */
  | { type: 'threads'; threads: number }
  /**
   * `build` names the network (the configure or load it answers): the page drops what an earlier
   * network sent before the worker took the new one (a Reset mid-run), so no old cost joins the new chart.
   */
  | { type: 'progress'; build: number; progress: Progress }
  | { type: 'paused'; build: number; iteration: number }
  | { type: 'trace'; steps: TraceStep[] }
  | { type: 'model'; bytes: ArrayBuffer; name: string }
  | { type: 'error'; field: string | null; message: string };
