// npm run bench: the course's cat run (X (12288, 209), layers [12288, 20, 7, 5, 1], relu hidden,
// sigmoid output, BCE, full-batch gradient descent, lr 0.0075) in deepnet and its peers, from the
// same initial weights, interleaved round by round; then the gemm table and predict on 10,000
// samples; with --webgpu, the WebGPU rows, in Chromium (bench/webgpu.ts). A benchmark, not a test:
// it prints a table and writes bench/results.json.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { Backend } from '../src/backend/backend.js';
import { ReferenceBackend } from '../src/backend/reference.js';
import { withBackend } from '../src/backend/select.js';
import { calibrations } from '../src/backend/wasm/blocking.js';
import { WasmBackend } from '../src/backend/wasm/wasm-backend.js';
import { Matrix } from '../src/matrix.js';
import { initializeParametersDeep } from '../src/nn/init.js';
import { predict } from '../src/nn/model.js';
import { preset, PRESETS } from '../src/nn/presets.js';
import type { Parameters } from '../src/nn/parameters.js';
import { gradientDescent } from '../src/nn/train.js';
import { trainLoop } from '../src/nn/trainLoop.js';
import { catData, repoFile } from './cat-data.js';
import { benchGemmTable, GEMM_SHAPES, type GemmResult } from './gemm.js';
import { brainRunner, convnetRunner, tfjsRunner, type Runner } from './peers-js.js';
import { PeakMeter } from './peak.js';
import { findPython, pythonRunner, removeInputs, writeInputs } from './peers-python.js';
import { summarize, timeIt, type Timing } from './timing.js';
import { webgpuSection } from './webgpu.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    console.error(`npm run bench: ${name} needs a whole number of at least 1, got ${JSON.stringify(args[i + 1] ?? '')}`);
    process.exit(2);
  }
  return v;
};
const ROUNDS = flag('--rounds', 10);
// Each library runs about this long per round (at least one iteration), so slow ones do not dominate.
const ROUND_MS = flag('--round-ms', 250);
// Whole-process runs of `deepnet train` per row, and rounds of the gemm table: read here, so that a
// wrong value stops the bench before any work.
const PROCESS_RUNS = flag('--process-runs', 5);
const GEMM_ROUNDS = flag('--gemm-rounds', 12);
const DIMS = [12288, 20, 7, 5, 1] as const;
const ITERATIONS = 2500;

/** Multiply-adds x 2 of one iteration: forward W·A, backward dW and dA_prev (no dA0). */
function flopsPerIteration(dims: readonly number[], m: number): number {
  let f = 0;
  for (let l = 1; l < dims.length; l++) f += 2 * dims[l]! * dims[l - 1]! * m * (l > 1 ? 3 : 2);
  return f;
}

function cloneParams(p: Parameters, dtype: 'float32' | 'float64'): Parameters {
  return Object.fromEntries(Object.entries(p).map(([k, M]) => [k, M.astype(dtype)]));
}

interface DeepnetVariant {
  label: string;
  backend: 'wasm' | 'reference';
  dtype: 'float32' | 'float64';
  threads: number;
  /** The first layer in Gram form (the training loop's); else the core's gradientDescent, direct form. */
  gram?: boolean;
}

function makeBackend(v: DeepnetVariant): Backend {
  return v.backend === 'wasm' ? new WasmBackend({ threads: v.threads }) : new ReferenceBackend();
}

/** deepnet through its public training loop; per-iteration times from consecutive onIteration calls. */
function deepnetRunner(v: DeepnetVariant, X: Matrix, Y: Matrix, init: Parameters): Runner {
  const backend = makeBackend(v);
  const Xd = X.astype(v.dtype);
  const Yd = Y.astype(v.dtype);
  const params = cloneParams(init, v.dtype);
  let cost0: number | undefined;
  return {
    name: v.label,
    get cost0() {
      return cost0;
    },
    async run(k) {
      await (backend as Partial<WasmBackend>).ready?.();
      const times: number[] = [];
      let t0 = 0;
      const onIteration = (_i: number, J: number) => {
        cost0 ??= J;
        const now = performance.now();
        if (t0 > 0) times.push(now - t0);
        t0 = now;
      };
      // The Gram form's K = Xᵀ·X and C0 = W0·X come before iteration 0, outside the times (the whole-process row counts them).
      withBackend(backend, () =>
        v.gram ? trainLoop(Xd, Yd, params, { iterations: k + 1, onIteration, gram: 'on' }) : gradientDescent(Xd, Yd, params, { iterations: k + 1, onIteration }),
      );
      return times;
    },
    dispose() {
      (backend as Partial<WasmBackend>).dispose?.();
    },
  };
}

interface Row extends Timing {
  name: string;
  note?: string;
  cost0?: number;
  msPerIteration: number;
  projectedSeconds: number;
  gflops: number;
}

async function main(): Promise<void> {
  const { train } = await catData();
  const { X, Y } = train;
  const m = X.cols;
  const init = initializeParametersDeep([...DIMS], { seed: 1 });
  const flops = flopsPerIteration(DIMS, m);
  const notes: string[] = [];

  const runners: Runner[] = [
    deepnetRunner({ label: 'deepnet wasm f32, 2 threads', backend: 'wasm', dtype: 'float32', threads: 2 }, X, Y, init),
    deepnetRunner({ label: 'deepnet wasm f32, 1 thread', backend: 'wasm', dtype: 'float32', threads: 1 }, X, Y, init),
    deepnetRunner({ label: 'deepnet wasm f64, 2 threads', backend: 'wasm', dtype: 'float64', threads: 2 }, X, Y, init),
    deepnetRunner({ label: 'deepnet wasm f64, 1 thread', backend: 'wasm', dtype: 'float64', threads: 1 }, X, Y, init),
    deepnetRunner({ label: 'deepnet reference f64', backend: 'reference', dtype: 'float64', threads: 1 }, X, Y, init),
    deepnetRunner({ label: 'deepnet wasm f64 Gram, 2 threads', backend: 'wasm', dtype: 'float64', threads: 2, gram: true }, X, Y, init),
    deepnetRunner({ label: 'deepnet wasm f64 Gram, 1 thread', backend: 'wasm', dtype: 'float64', threads: 1, gram: true }, X, Y, init),
    deepnetRunner({ label: 'deepnet wasm f32 Gram, 2 threads', backend: 'wasm', dtype: 'float32', threads: 2, gram: true }, X, Y, init),
  ];
  const optional = async (name: string, make: () => Promise<Runner> | Runner) => {
    try {
      runners.push(await make());
    } catch (e) {
      notes.push(`${name} skipped: ${(e as Error).message.split('\n')[0]}`);
    }
  };
  await optional('TensorFlow.js wasm', () => tfjsRunner('wasm', X, Y, init, DIMS.length - 1));
  await optional('TensorFlow.js cpu', () => tfjsRunner('cpu', X, Y, init, DIMS.length - 1));
  await optional('ConvNetJS', () => convnetRunner(X, Y, init, DIMS));
  await optional('brain.js', () => brainRunner(X, Y, DIMS));

  let inputs: string | undefined;
  const numpyPython = findPython('numpy');
  const torchPython = findPython('torch');
  if (numpyPython || torchPython) inputs = writeInputs(X, Y, init);
  if (numpyPython) {
    const blas = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'];
    const asIs = blas.map((k) => `${k}=${process.env[k] ?? '(unset)'}`).join(' ');
    await optional('numpy', () => pythonRunner(numpyPython, 'numpy', 'numpy f64', inputs!, DIMS, m, {}, asIs));
    // OpenBLAS picks its kernels by processor; Haswell's are the AVX2 ones (256-bit FMA), which a
    // processor without AVX-512 gets. Shows how much of numpy's speed is the processor's vector width.
    await optional('numpy (AVX2 kernels)', () =>
      pythonRunner(numpyPython, 'numpy', 'numpy f64', inputs!, DIMS, m, { OPENBLAS_CORETYPE: 'Haswell' }, 'OPENBLAS_CORETYPE=Haswell (AVX2)'),
    );
    if (blas.some((k) => process.env[k] !== undefined)) {
      const unset = Object.fromEntries(blas.map((k) => [k, undefined]));
      await optional('numpy (OpenBLAS variables unset)', () =>
        pythonRunner(numpyPython, 'numpy', 'numpy f64', inputs!, DIMS, m, unset, blas.map((k) => `${k} unset`).join(' ')),
      );
    }
  } else {
    notes.push('numpy skipped: no python3 with numpy found');
  }
  if (torchPython) await optional('PyTorch', () => pythonRunner(torchPython, 'torch', 'PyTorch f32', inputs!, DIMS, m, {}, '2 threads'));
  else notes.push('PyTorch skipped: no python3 that can import torch found');

  // Interleaved rounds: every library once per round, starting from a different one each round.
  const loadBefore = loadavg()[0]!;
  const samples = new Map<Runner, number[]>(runners.map((r) => [r, []]));
  const estimate = new Map<Runner, number>();
  for (const r of runners) {
    const first = await r.run(1);
    estimate.set(r, first[0] ?? 1);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < runners.length; i++) {
      const r = runners[(i + round) % runners.length]!;
      const k = Math.max(1, Math.min(20, Math.round(ROUND_MS / estimate.get(r)!)));
      samples.get(r)!.push(...(await r.run(k)));
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS}\r`);
  }
  process.stderr.write('\n');
  for (const r of runners) r.dispose();
  if (inputs) removeInputs(inputs);

  const rows: Row[] = runners.map((r) => {
    const t = summarize(samples.get(r)!);
    return {
      name: r.name,
      note: r.note,
      cost0: r.cost0,
      ...t,
      msPerIteration: t.medianMs,
      projectedSeconds: (t.medianMs * ITERATIONS) / 1000,
      gflops: flops / (t.minMs * 1e6),
    };
  });
  const base = rows[0]!;
  const base64 = rows.find((r) => r.name.startsWith('deepnet wasm f64, 2'))!;
  console.log(`\nThe cat run (the Gram form's GFLOP/s count the direct form's work, so they read as its speed-up): X (${X.rows}, ${m}), layers [${DIMS.join(', ')}], ${(flops / 1e6).toFixed(1)} MFLOP per iteration`);
  const loadAfter = loadavg()[0]!;
  console.log(`${cpus().length} cores; ${ROUNDS} interleaved rounds; times are per iteration (forward, cost, backward, update)`);
  console.log(`load average (1 min) before and after the rounds: ${loadBefore.toFixed(2)}, ${loadAfter.toFixed(2)}\n`);
  const header = ['library', 'min ms', 'median ms', `s/${ITERATIONS} it`, 'GFLOP/s', '× f32 2T', '× f64 2T', 'cost[0]', 'note'];
  const table = rows.map((r) => [
    r.name,
    r.minMs.toFixed(2),
    r.medianMs.toFixed(2),
    r.projectedSeconds.toFixed(1),
    r.gflops.toFixed(1),
    (r.medianMs / base.medianMs).toFixed(1),
    (r.medianMs / base64.medianMs).toFixed(1),
    r.cost0 === undefined ? '' : r.cost0.toFixed(6),
    r.note ?? '',
  ]);
  printTable(header, table);
  for (const n of notes) console.log(`note: ${n}`);

  // The README's main job as a user runs it: `deepnet train` (float64, Gram form by default), the
  // whole process from start to exit, beside numpy's loop projected to the same 2500 iterations.
  const processRuns = PROCESS_RUNS;
  const wall: number[] = [];
  for (let r = 0; r < processRuns; r++) {
    const t0 = performance.now();
    const child = spawnSync(process.execPath, [repoFile('bin/deepnet.js'), 'train'], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`deepnet train exited with ${child.status}: ${child.stderr}`);
    wall.push(performance.now() - t0);
  }
  const trainProcess = summarize(wall);
  const numpyLoop = rows.find((r) => r.name.startsWith('numpy f64') && !r.note?.includes('Haswell'));
  const numpyProjected = numpyLoop ? { minSeconds: (numpyLoop.minMs * ITERATIONS) / 1000, medianSeconds: (numpyLoop.medianMs * ITERATIONS) / 1000 } : null;
  const defaultRun = {
    command: 'deepnet train',
    minSeconds: trainProcess.minMs / 1000,
    medianSeconds: trainProcess.medianMs / 1000,
    runs: trainProcess.runs,
    numpyProjected,
    timesFasterThanNumpy: numpyProjected ? { byMin: numpyProjected.minSeconds / (trainProcess.minMs / 1000), byMedian: numpyProjected.medianSeconds / (trainProcess.medianMs / 1000) } : null,
  };
  console.log(`\n\`deepnet train\` (whole process, ${processRuns} runs): min ${defaultRun.minSeconds.toFixed(2)} s, median ${defaultRun.medianSeconds.toFixed(2)} s`);
  if (numpyProjected && defaultRun.timesFasterThanNumpy) {
    console.log(
      `numpy's loop for ${ITERATIONS} iterations (projected): min ${numpyProjected.minSeconds.toFixed(1)} s, median ${numpyProjected.medianSeconds.toFixed(1)} s: deepnet train is ${defaultRun.timesFasterThanNumpy.byMin.toFixed(1)}x faster by min, ${defaultRun.timesFasterThanNumpy.byMedian.toFixed(1)}x by median`,
    );
  }

  const presets = await presetsSection(X, Y, numpyPython);

  const { peaks, peak2, gemmRows, blocking, bandwidth } = await gemmSection();

  // predict on 10,000 samples, float32, 2 threads: X passed as a plain matrix (copied in) and resident.
  const n = 10_000;
  const Xbig = Matrix.zeros(DIMS[0], n, 'float32');
  for (let t = 0; t < Xbig.data.length; t++) Xbig.data[t] = (t % 255) / 255;
  const b = new WasmBackend({ threads: 2 });
  await b.ready();
  const p32 = cloneParams(init, 'float32');
  const plain = timeIt(() => withBackend(b, () => predict(Xbig, p32)), 5);
  const Xres = b.allocate(DIMS[0], n, 'float32');
  Xres.data.set(Xbig.data);
  const resident = timeIt(() => withBackend(b, () => predict(Xres, p32)), 5);
  b.release(Xres);
  b.dispose();
  console.log(`\npredict on ${n} samples (f32, 2 threads): X plain ${fmt(plain)}; X resident ${fmt(resident)}`);

  // What the ceiling implies for the targets.
  console.log('\nat the peak above:');
  let predictFlops = 0;
  for (let l = 1; l < DIMS.length; l++) predictFlops += 2 * DIMS[l]! * DIMS[l - 1]! * n;
  // predict reads X once at least (491 MB in f32): the floor is the larger of its arithmetic at the
  // peak and its bytes at the memory's bandwidth, both measured in this run.
  const bw2 = bandwidth.find((b) => b.threads === 2) ?? bandwidth[0]!;
  const predictComputeMs = predictFlops / (peak2.f32Gflops * 1e6);
  const predictMemoryMs = (DIMS[0] * n * 4) / (bw2.gbPerSecond * 1e6);
  const floors = {
    predict10kMs: Math.max(predictComputeMs, predictMemoryMs),
    predict10kComputeMs: predictComputeMs,
    predict10kMemoryMs: predictMemoryMs,
    trainingF64Ms: flops / (peak2.f64Gflops * 1e6),
    trainingF32Ms: flops / (peak2.f32Gflops * 1e6),
  };
  console.log(
    `  at best: predict on ${n} samples ${floors.predict10kMs.toFixed(1)} ms (f32, 2 threads: the larger of ${predictComputeMs.toFixed(1)} ms of arithmetic and ${predictMemoryMs.toFixed(1)} ms to read X at ${bw2.gbPerSecond.toFixed(1)} GB/s); resident X at ${(resident.minMs / floors.predict10kMs).toFixed(2)}x of it;`,
  );
  console.log(`  a cat iteration ${floors.trainingF32Ms.toFixed(2)} ms in f32 and ${floors.trainingF64Ms.toFixed(2)} ms in f64 (2 threads)`);
  const numpyRow = rows.find((r) => r.name.startsWith('numpy f64') && !r.note?.includes('Haswell'));
  if (numpyRow) {
    const need = (2 * flops) / (numpyRow.minMs * 1e6);
    console.log(`  numpy f64 runs at ${numpyRow.gflops.toFixed(1)} GFLOP/s; twice its speed needs ${need.toFixed(1)}, ${(need / peak2.f64Gflops).toFixed(1)}x the f64 peak`);
  }

  const results = {
    workload: { layerDims: DIMS, m, iterations: ITERATIONS, learningRate: 0.0075, mflopPerIteration: flops / 1e6 },
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage: [loadBefore, loadAfter] },
    date: new Date().toISOString(),
    rounds: ROUNDS,
    training: rows.map((r) => ({
      ...r,
      ratioToDeepnetF32TwoThreads: r.medianMs / base.medianMs,
      ratioToDeepnetF64TwoThreads: r.medianMs / base64.medianMs,
    })),
    gemm: gemmRows,
    predict10k: { plain, resident },
    defaultRun,
    presets,
    peak: peaks,
    bandwidth,
    floors,
    blocking,
    notes,
    ...(args.includes('--webgpu') ? { webgpu: await webgpuTables() } : {}),
  };
  writeFileSync(repoFile('bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nwrote bench/results.json');
}

/**
 * The course's three networks as a user runs them (`deepnet train --preset NAME`, float64, the whole
 * process) beside numpy's loop for the same network on the same data, projected to the preset's
 * iterations; process runs and numpy rounds interleaved. numpy starts from deepnet's seeded weights
 * (for logistic, its zeros' shape with small values: the time of an iteration does not depend on them).
 */
async function presetsSection(X: Matrix, Y: Matrix, python: string | undefined) {
  const runs = PROCESS_RUNS;
  const out = [];
  for (const name of PRESETS) {
    const p = preset(name);
    const dims = [X.rows, ...p.layers, 1];
    let numpy: Runner | undefined;
    let dir: string | undefined;
    if (python) {
      dir = writeInputs(X, Y, initializeParametersDeep(dims, { seed: p.seed }));
      numpy = await pythonRunner(python, 'numpy', 'numpy f64', dir, dims, X.cols, {}, undefined, { hidden: p.hidden, learningRate: p.learningRate });
      await numpy.run(2);
    }
    const wall: number[] = [];
    const loop: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const child = spawnSync(process.execPath, [repoFile('bin/deepnet.js'), 'train', '--preset', name], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`deepnet train --preset ${name} exited with ${child.status}: ${child.stderr}`);
      wall.push(performance.now() - t0);
      if (numpy) loop.push(...(await numpy.run(10)));
    }
    numpy?.dispose();
    if (dir) removeInputs(dir);
    const deepnet = summarize(wall);
    const np = loop.length ? summarize(loop) : undefined;
    const numpyProjected = np ? { minSeconds: (np.minMs * p.iterations) / 1000, medianSeconds: (np.medianMs * p.iterations) / 1000 } : null;
    out.push({
      preset: name,
      layerDims: dims,
      iterations: p.iterations,
      deepnet: { minSeconds: deepnet.minMs / 1000, medianSeconds: deepnet.medianMs / 1000, runs: deepnet.runs },
      numpyMsPerIteration: np ? { min: np.minMs, median: np.medianMs } : null,
      numpyProjected,
      timesFasterThanNumpy: numpyProjected
        ? { byMin: numpyProjected.minSeconds / (deepnet.minMs / 1000), byMedian: numpyProjected.medianSeconds / (deepnet.medianMs / 1000) }
        : null,
    });
  }
  console.log(`\nthe course's networks, \`deepnet train --preset NAME\` as a whole process (${runs} runs) beside numpy's loop projected to the same iterations\n`);
  printTable(
    ['preset', 'layers', 'iterations', 'deepnet min s', 'median s', 'numpy min s', 'median s', '× by min', '× by median'],
    out.map((r) => [
      r.preset,
      `[${r.layerDims.join(', ')}]`,
      String(r.iterations),
      r.deepnet.minSeconds.toFixed(2),
      r.deepnet.medianSeconds.toFixed(2),
      r.numpyProjected?.minSeconds.toFixed(1) ?? '',
      r.numpyProjected?.medianSeconds.toFixed(1) ?? '',
      r.timesFasterThanNumpy?.byMin.toFixed(1) ?? '',
      r.timesFasterThanNumpy?.byMedian.toFixed(1) ?? '',
    ]),
  );
  return out;
}

/** The SIMD peak, then the gemm table read against it; printed, and returned for results.json. */
async function gemmSection() {
  // The ceiling: WebAssembly SIMD multiply-adds in registers, sampled after every round of the
  // gemm table (the best sample kept), so that every gemm row is read against the peak of the
  // same moments of the same run.
  const meter = await PeakMeter.start(2);
  await meter.sample();
  const rounds = GEMM_ROUNDS;
  const measured = await benchGemmTable(GEMM_SHAPES, ['float32', 'float64'], [1, 2], rounds, () => meter.sample());
  const peaks = meter.peaks();
  const bandwidth = await meter.bandwidth();
  await meter.dispose();
  const peak2 = peaks.find((p) => p.threads === 2) ?? peaks[0]!;
  const peakOf = (dtype: 'float32' | 'float64', threads: number) => {
    const p = peaks.find((q) => q.threads === threads) ?? peak2;
    return dtype === 'float32' ? p.f32Gflops : p.f64Gflops;
  };
  console.log(`\npeak WebAssembly SIMD (mul + add, no memory; the best of ${rounds + 1} samples between the gemm rounds), GFLOP/s:`);
  for (const p of peaks) console.log(`  ${p.threads} thread${p.threads > 1 ? 's' : ''}: f32 ${p.f32Gflops.toFixed(1)}, f64 ${p.f64Gflops.toFixed(1)}`);
  console.log(`memory read bandwidth (SIMD loads streaming a 256 MB buffer per thread), GB/s: ${bandwidth.map((b) => `${b.threads} thread${b.threads > 1 ? 's' : ''} ${b.gbPerSecond.toFixed(1)}`).join(', ')}`);

  // gemm table: resident operands, no copies; each shape's GFLOP/s against the peak and against
  // 1024³ in the same setting.
  console.log(`\ngemm (C = op(A)·op(B), operands in wasm memory, ${rounds} interleaved rounds; ÷ peak: GFLOP/s over the SIMD peak of this run, same dtype and threads;`);
  console.log('÷ 1024³: over the NN square product in the same setting)\n');
  const gemmRows: (GemmResult & { fractionOfPeak: number; ratioToSquare: number })[] = measured.map((g) => ({
    ...g,
    fractionOfPeak: g.gflops / peakOf(g.dtype as 'float32' | 'float64', g.threads),
    ratioToSquare: 0,
  }));
  for (const g of gemmRows) {
    const square = gemmRows.find((s) => s.M === 1024 && !s.transA && !s.transB && s.dtype === g.dtype && s.threads === g.threads)!;
    g.ratioToSquare = g.gflops / square.gflops;
  }
  printTable(
    ['shape', 'op', 'dtype', 'threads', 'min ms', 'median ms', 'GFLOP/s', '÷ peak', '÷ 1024³'],
    gemmRows.map((g) => [
      g.label,
      `${g.transA ? 'T' : 'N'}${g.transB ? 'T' : 'N'}`,
      g.dtype,
      String(g.threads),
      g.minMs.toFixed(2),
      g.medianMs.toFixed(2),
      g.gflops.toFixed(1),
      g.fractionOfPeak.toFixed(2),
      g.ratioToSquare.toFixed(2),
    ]),
  );
  console.log('Xᵀ·X (K): one operand, as training passes it: gemm computes the upper triangle, about half the products; GFLOP/s count the full product.');
  const blocking = calibrations();
  for (const c of blocking) {
    const trials = c.trials.map((t) => `${t.kc} x ${t.chunkCols}: ${t.gflops.toFixed(1)}`).join(', ');
    console.log(`blocking ${c.elementBytes === 4 ? 'f32' : 'f64'}: kc ${c.blocking.kc}, chunk ${c.blocking.chunkCols} columns (calibrated in ${c.ms.toFixed(1)} ms; GFLOP/s by kc x chunk: ${trials})`);
  }
  return { peaks, peak2, gemmRows, blocking, bandwidth };
}

/** The WebGPU rows (bench/webgpu.ts), printed; returned for results.json's webgpu field. */
async function webgpuTables() {
  const w = await webgpuSection();
  printTable(
    ['workload', 'library', 'min ms', 'median ms', 'samples', 'cost[0]', 'timing'],
    w.training.map((r) => [r.workload, r.library, r.minMs.toFixed(2), r.medianMs.toFixed(2), String(r.runs), r.cost0.toFixed(6), r.timing]),
  );
  console.log('\ngemm in the page (float32; webgpu: resident buffers, several products then one readback of C, per product)\n');
  printTable(
    ['shape', 'op', 'backend', 'min ms', 'median ms', 'GFLOP/s'],
    w.gemm.map((g) => [g.label, g.op, g.backend, g.minMs.toFixed(2), g.medianMs.toFixed(2), g.gflops.toFixed(1)]),
  );
  return w;
}

function fmt(t: Timing): string {
  return `min ${t.minMs.toFixed(1)} ms, median ${t.medianMs.toFixed(1)} ms`;
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

// --gemm-only: the peak and the gemm table alone (a minute, not ten), results.json untouched.
// --presets-only: the course's three networks against numpy alone, results.json untouched.
// --webgpu-only: the WebGPU rows alone, written into results.json's webgpu field, the rest kept.
if (args.includes('--gemm-only')) await gemmSection();
else if (args.includes('--presets-only')) {
  const { train } = await catData();
  await presetsSection(train.X, train.Y, findPython('numpy'));
}
else if (args.includes('--webgpu-only')) {
  const file = repoFile('bench/results.json');
  const results = { ...JSON.parse(readFileSync(file, 'utf8')), webgpu: await webgpuTables() };
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nwrote the webgpu field of bench/results.json');
} else await main();
// Idle workers are unref'd, but TF.js keeps handles open: leave explicitly.
process.exit(0);
