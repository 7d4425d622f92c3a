import './style.css';
import { type CatBytes, type DataName, type DataSpec, type DataSummary, type FromWorker, type GpuInfo, type LayerSpec, type NetworkSpec, type Progress, testFraction, type ToWorker, type TraceStep, type TrainingSpec } from './protocol.js';
import { BoundaryView } from './views/boundary.js';
import { CatGrid } from './views/catGrid.js';
import { CostChart } from './views/chart.js';
import { NetworkDiagram } from './views/diagram.js';
import { renderDimensions } from './views/dims.js';
import { type FieldReaders, HIDDEN, LayerEditor, readNetwork } from './views/editor.js';
import { ADDRESS_FIELDS, type AddressError, layersText, readAddress } from './address.js';
import { parseDecimal } from '../src/io/decimal.js';
import { isThreadCount, THREADS_RULE } from '../src/backend/threads.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

// What the page shows, also read by the browser tests.
const state = {
  costs: [] as [number, number][],
  /** The test split's cost after each iteration, where the data have one. */
  testCosts: [] as [number, number][],
  iteration: 0,
  running: false,
  done: false,
  pausedAt: null as number | null,
  ready: false,
  /** How many times the worker has (re)built the network: a test waits for it to grow. */
  readyCount: 0,
  boundaryDrawn: false,
  trainAccuracy: null as number | null,
  testAccuracy: null as number | null,
  lastError: '',
  /** Why training stopped when its cost ran away (the library's DivergenceError), else ''. */
  diverged: '',
  /** How many times the hidden units' heatmaps were drawn. */
  unitsDrawn: 0,
  /** The points the cost chart draws now, of each series. */
  chartPoints: { train: 0, test: 0 },
  /** Threads the kernels run on, and the chunks of large products each has computed. */
  threads: 0,
  chunksByThread: [] as number[],
  /** What the worker's navigator.gpu gave (null until it has answered). */
  gpu: null as GpuInfo | null,
  /** The kernels the worker's network trains on: 'wasm', 'webgpu' or 'reference'. */
  backend: '',
};
(window as unknown as { deepnet: typeof state }).deepnet = state;

// Settings that suit each data set, as the course trains them.
// noise: each generator's σ; m: the samples the set has (the page counts a mini-batch's range from it).
const DEFAULTS: Record<DataName, { hidden: LayerSpec[]; lr: number; iterations: number; output: string; init?: string; seed?: number; noise: number; m: number }> = {
  // Week 3: n_h = 4 tanh units, randn x 0.01 from seed 2, α = 1.2: the notebook's own run.
  planar: { hidden: [{ units: 4, activation: 'tanh' }], lr: 1.2, iterations: 10000, output: 'sigmoid', init: 'small', seed: 2, noise: 0, m: 400 },
  xor: { hidden: [{ units: 4, activation: 'tanh' }], lr: 0.5, iterations: 3000, output: 'sigmoid', noise: 0, m: 400 },
  circles: { hidden: [{ units: 8, activation: 'relu' }, { units: 4, activation: 'relu' }], lr: 0.3, iterations: 3000, output: 'sigmoid', noise: 0.1, m: 400 },
  moons: { hidden: [{ units: 8, activation: 'tanh' }, { units: 4, activation: 'tanh' }], lr: 0.3, iterations: 3000, output: 'sigmoid', noise: 0.15, m: 400 },
  spiral: { hidden: [{ units: 16, activation: 'relu' }, { units: 16, activation: 'relu' }], lr: 0.5, iterations: 5000, output: 'sigmoid', noise: 0.2, m: 300 },
  gaussian: { hidden: [{ units: 6, activation: 'relu' }], lr: 0.3, iterations: 2000, output: 'sigmoid', noise: 1, m: 300 },
  cat: { hidden: [{ units: 20, activation: 'relu' }, { units: 7, activation: 'relu' }, { units: 5, activation: 'relu' }], lr: 0.0075, iterations: 2500, output: 'sigmoid', noise: 0, m: 209 },
};

/** Data the page does not draw (the course's planar and cat, a CSV file): no seed, noise or split to choose. */
const FIXED = new Set<DataName | 'csv'>(['planar', 'cat', 'csv']);

/** The network's fields, in the form's order, each with its element id (the address names them alike). */
const READERS = ['output', 'cost', 'init', 'seed', 'lr', 'iterations', 'optimizer', 'batchSize', 'lambd', 'keepProb', 'dtype', 'backend'] as const satisfies readonly (keyof FieldReaders)[];
const FIELDS = Object.fromEntries(READERS.map((key) => [key, ADDRESS_FIELDS[key]])) as Record<keyof FieldReaders, string>;
const TEXT_FIELDS = ['data-seed', 'noise', 'train-percent', 'seed', 'lr', 'iterations', 'batch-size', 'lambd', 'keep-prob'];

// ?threads=N picks the kernels' threads; by default, the cores (1 unless cross-origin isolated).
const threadsParam = new URLSearchParams(location.search).get('threads');
const threads = threadsParam === null ? undefined : Number(threadsParam);
const threadsValid = threads === undefined || (/^\d+$/.test(threadsParam!) && isThreadCount(threads));

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
// The worker asks navigator.gpu for an adapter first: the form offers the GPU only once it has answered.
let gpuAnswered: (gpu: GpuInfo) => void = () => {};
const gpuKnown = new Promise<GpuInfo>((resolve) => (gpuAnswered = resolve));
const send = (message: ToWorker, transfer: Transferable[] = []) => worker.postMessage(message, transfer);

const chart = new CostChart($('chart'));
const boundary = new BoundaryView($<HTMLCanvasElement>('boundary'));
const diagram = new NetworkDiagram($('diagram') as unknown as SVGSVGElement, $('unit-zoom'));
const catGrid = new CatGrid($('cat-grid'));
const editor = new LayerEditor($('layers'), () => {
  forgetAddressError('layers');
  scheduleConfigure();
});

let summary: DataSummary | null = null;
let layerDims: number[] = [];
let activations: string[] = [];
let csv: { name: string; text: string } | null = null;
let cat: { train: CatBytes; test: CatBytes } | null = null;
let traceSteps: TraceStep[] = [];
let traceAt = -1;
/** What the worker's network was built from, but the training settings (those apply live). */
let builtKey = '';
/** Networks asked of the worker (configure and load), and the one whose progress the page shows. */
let asked = 0;
let build = 0;
/** Iterations per run: "Continue" after Done trains this many more. */
let runLength = 0;
/** The training settings the worker runs with (they apply live). */
let training: TrainingSpec | null = null;
/** What the address asked for that the form cannot show, by element id, until that field changes. */
const addressErrors = new Map<string, AddressError>();

async function loadCat(): Promise<{ train: CatBytes; test: CatBytes }> {
  const get = async (name: string) => new Uint8Array(await (await fetch(new URL(`data/${name}`, document.baseURI))).arrayBuffer());
  const [trainX, trainY, testX, testY] = await Promise.all(['cat_train_x.u8', 'cat_train_y.u8', 'cat_test_x.u8', 'cat_test_y.u8'].map(get));
  return { train: { x: trainX!, y: trainY!, m: trainY!.length }, test: { x: testX!, y: testY!, m: testY!.length } };
}

function dataName(): DataName | 'csv' {
  return $<HTMLSelectElement>('data-name').value as DataName | 'csv';
}

function fieldValue(id: string): string {
  return ($(id) as HTMLInputElement | HTMLSelectElement).value;
}

/** Each field's message is its own: clearing one never wipes another's (a model error that came first). */
function showError(field: 'data' | 'network' | 'model', message: string): void {
  $(`${field}-error`).textContent = message;
  if (message) state.lastError = message;
  else if (['data', 'network', 'model'].every((f) => $(`${f}-error`).textContent === '')) state.lastError = '';
}

let configureTimer: number | undefined;
function scheduleConfigure(): void {
  clearTimeout(configureTimer);
  configureTimer = window.setTimeout(() => void configure(), 150);
}

/** Train and Step are for a network that matches the form: an invalid field disables them. */
function invalid(field: 'data' | 'network', message: string): void {
  showError(field, message);
  state.ready = false;
  builtKey = '';
  $<HTMLButtonElement>('train').disabled = true;
  $<HTMLButtonElement>('step').disabled = true;
}

/** The stats, chart and pictures of a network that is gone (a broken CSV, another data set). */
function clearView(): void {
  for (const id of ['stat-iteration', 'stat-cost', 'stat-train', 'stat-test', 'stat-speed']) $(id).textContent = '–';
  chart.reset();
  boundary.clear();
  state.costs = [];
  state.iteration = 0;
  state.trainAccuracy = null;
  state.testAccuracy = null;
}

function clearTrace(): void {
  traceSteps = [];
  traceAt = -1;
  $('trace-steps').replaceChildren();
  $<HTMLButtonElement>('trace-next').disabled = true;
  diagram.highlight(null);
}

/** What the form asks for, or why it cannot be built (the field and the message). */
type Form =
  | { ok: true; name: DataName | 'csv'; data: DataSpec; spec: NetworkSpec; normalize: 'none' | 'standard' | 'minmax'; key: string }
  | { ok: false; field: 'data' | 'network'; message: string };

/** Marks the text field a message is about (none: null), and only it. */
function markInvalid(id: string | null): void {
  for (const other of [...TEXT_FIELDS, ...Object.values(FIELDS), 'data-name']) $(other).classList.toggle('invalid', other === id);
}

/** The settings fit would take from the form (they apply to a running network). */
function trainingOf(spec: NetworkSpec): TrainingSpec {
  const { learningRate, iterations, batchSize, lambd, keepProb } = spec;
  return { learningRate, iterations, batchSize, lambd, keepProb };
}

/** The synthetic set's noise σ, share trained on, and m trained on; or the message about a bad one. */
function readSplit(name: DataName): { noise: number; trainPercent: number; m: number } | { id: string; message: string } {
  const { m } = DEFAULTS[name];
  // The course's own data: its hidden fields say nothing.
  if (FIXED.has(name)) return { noise: 0, trainPercent: 100, m };
  const noiseText = fieldValue('noise');
  const noise = parseDecimal(noiseText);
  if (!Number.isFinite(noise) || noise < 0) return { id: 'noise', message: `The noise σ must be a number ≥ 0, not "${noiseText}".` };
  const percentText = fieldValue('train-percent');
  const trainPercent = Number(percentText);
  if (!/^\d+$/.test(percentText.trim()) || trainPercent < 10 || trainPercent > 90) {
    return { id: 'train-percent', message: `The train share must be a whole number of percent from 10 to 90, not "${percentText}".` };
  }
  // As trainTestSplit counts: the test split is the first ceil(fraction · m) of the permutation.
  return { noise, trainPercent, m: m - Math.ceil(testFraction(trainPercent) * m) };
}

async function readForm(): Promise<Form> {
  const form = await readFields();
  if (addressErrors.size === 0) writeAddress();
  return form;
}

async function readFields(): Promise<Form> {
  const name = dataName();
  $('csv-drop').hidden = name !== 'csv';
  // Only the synthetic sets are drawn from a seed, with noise and a split; planar and cat are the course's own.
  $('data-options').hidden = FIXED.has(name);
  $('boundary-box').hidden = name === 'cat';
  $('cat-box').hidden = name !== 'cat';
  const addressError = addressErrors.values().next().value;
  if (addressError) {
    markInvalid(addressError.id);
    return { ok: false, field: addressError.field, message: addressError.message };
  }
  let data: DataSpec;
  let nX = 2;
  let nY = name === 'spiral' || name === 'gaussian' ? 3 : 1;
  let m: number | undefined;
  if (name === 'csv') {
    markInvalid(null);
    if (!csv) return { ok: false, field: 'data', message: 'Choose or drop a CSV file.' };
    data = { kind: 'csv', name: csv.name, text: csv.text };
    nX = summary?.nX ?? 2;
    nY = 1;
    m = summary?.m;
  } else {
    const seedText = fieldValue('data-seed');
    if (!/^\d+$/.test(seedText.trim())) {
      markInvalid('data-seed');
      return { ok: false, field: 'data', message: `The data seed must be a whole number, not "${seedText}".` };
    }
    const split = readSplit(name);
    if ('id' in split) {
      markInvalid(split.id);
      return { ok: false, field: 'data', message: split.message };
    }
    data = { kind: 'builtin', name, seed: Number(seedText), noise: split.noise, trainPercent: split.trainPercent };
    m = split.m;
    if (name === 'cat') {
      cat ??= await loadCat();
      nX = 12288;
    }
  }
  if (!threadsValid) return { ok: false, field: 'network', message: `The address's ?threads= must be ${THREADS_RULE}, not "${threadsParam}".` };
  const hidden = editor.read();
  // The editor shows its own message beside the layer.
  if (!hidden) {
    markInvalid(null);
    return { ok: false, field: 'network', message: '' };
  }
  const readers = Object.fromEntries(Object.entries(FIELDS).map(([key, id]) => [key, fieldValue(id)])) as unknown as FieldReaders;
  const spec = readNetwork(hidden, readers, nX, nY, m);
  if ('message' in spec) {
    markInvalid(spec.field && FIELDS[spec.field]);
    return { ok: false, field: 'network', message: spec.message };
  }
  markInvalid(null);
  const normalize = fieldValue('normalize') as 'none' | 'standard' | 'minmax';
  // The training settings are not part of what is built: they apply live.
  const key = JSON.stringify({ data: data.kind === 'csv' ? [data.name, data.text.length] : data, spec: { ...spec, learningRate: 0, iterations: 0, batchSize: 0, lambd: 0, keepProb: 0 }, normalize });
  return { ok: true, name, data, spec, normalize, key };
}

/** The form in the address's hash (the ?threads= query stays), so that the page can be shared as it is. */
function writeAddress(): void {
  const name = dataName();
  const params: [string, string][] = [['data', name]];
  if (!FIXED.has(name)) params.push(['dataSeed', fieldValue('data-seed')], ['noise', fieldValue('noise')], ['trainPercent', fieldValue('train-percent')]);
  params.push(['layers', layersText(editor.rows())]);
  for (const key of READERS) params.push([key, fieldValue(FIELDS[key])]);
  if (name === 'csv') params.push(['normalize', fieldValue('normalize')]);
  const hash = '#' + params.map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2C/g, ',').replace(/%3A/g, ':')}`).join('&');
  if (hash !== location.hash) history.replaceState(null, '', location.pathname + location.search + hash);
}

async function configure(force = false): Promise<void> {
  const form = await readForm();
  if (!form.ok) {
    invalid(form.field, form.message);
    if (!form.message) state.lastError = 'invalid layer';
    return;
  }
  const { name, data, spec, normalize, key } = form;
  showError('network', '');
  training = trainingOf(spec);
  // A diverged network's parameters are spent: a new setting starts it again.
  if (state.diverged) force = true;
  showDiverged('');
  if (!force && key === builtKey && state.ready) {
    // Same network: the new training settings apply from the next iteration.
    send({ type: 'update', training });
    runLength = spec.iterations;
    return;
  }
  builtKey = key;
  runLength = spec.iterations;
  clearTrace();
  state.ready = false;
  build = ++asked;
  forgetRun();
  setRunning(false);
  send(name === 'cat' && cat ? { type: 'configure', build, data, network: spec, normalize, catTrain: cat.train, catTest: cat.test, threads } : { type: 'configure', build, data, network: spec, normalize, threads });
}

/** A new network's run starts empty: no cost, chart point or frame of the one before it. */
function forgetRun(): void {
  state.costs = [];
  state.testCosts = [];
  state.iteration = 0;
  state.done = false;
  state.pausedAt = null;
  pendingFrame = null;
  pendingCosts = [];
  pendingTestCosts = [];
  chart.reset();
}

function setRunning(running: boolean): void {
  state.running = running;
  // After Done, Train goes on for as many iterations again (the TensorFlow Playground trains on).
  $('train').textContent = running ? 'Pause' : state.done ? 'Continue' : state.iteration > 0 ? 'Resume' : 'Train';
  $('train').title = state.done ? `train ${runLength} more iterations` : running ? 'pause before the next iteration' : 'train the network: forward, cost J, backward, update, iteration after iteration';
  // A diverged network trains no further: a new setting (or Reset) starts it again.
  const stuck = !state.ready || state.diverged !== '';
  $<HTMLButtonElement>('train').disabled = stuck;
  $<HTMLButtonElement>('step').disabled = running || stuck;
}

function fmt(x: number | null, digits = 4): string {
  return x === null || Number.isNaN(x) ? '–' : x.toFixed(digits);
}

// Progress arrives as often as the worker sends it; the page draws at most once per frame, the
// latest state, so that the main thread does one small piece of work per frame whatever the data.
let pendingFrame: Progress | null = null;
let pendingCosts: [number, number][] = [];
let pendingTestCosts: [number, number][] = [];
function queueProgress(p: Progress): void {
  pendingCosts.push(...p.costs);
  pendingTestCosts.push(...p.testCosts);
  const first = pendingFrame === null;
  const last = pendingFrame;
  pendingFrame = { ...p, costs: pendingCosts, testCosts: pendingTestCosts, boundary: p.boundary ?? last?.boundary, units: p.units ?? last?.units, testPredictions: p.testPredictions ?? last?.testPredictions };
  if (first) requestAnimationFrame(drawProgress);
}

function drawProgress(): void {
  const p = pendingFrame;
  pendingFrame = null;
  pendingCosts = [];
  pendingTestCosts = [];
  if (p) onProgress(p);
}

function onProgress(p: Progress): void {
  state.costs.push(...p.costs);
  state.testCosts.push(...p.testCosts);
  state.iteration = p.iteration;
  state.done = p.done;
  state.trainAccuracy = p.trainAccuracy;
  state.testAccuracy = p.testAccuracy;
  state.chunksByThread = p.chunksByThread;
  chart.add(p.costs, p.testCosts);
  state.chartPoints = chart.drawnPoints;
  const last = state.costs[state.costs.length - 1];
  $('stat-iteration').textContent = String(p.iteration);
  $('stat-cost').textContent = last ? last[1].toFixed(6) : '–';
  $('stat-train').textContent = fmt(p.trainAccuracy);
  $('stat-test').textContent = fmt(p.testAccuracy);
  $('stat-speed').textContent = p.running ? p.iterationsPerSecond.toFixed(0) : '–';
  if (p.boundary) {
    boundary.draw(p.boundary);
    state.boundaryDrawn = boundary.drawn;
  }
  if (p.testPredictions) catGrid.update(p.testPredictions.predicted, p.testPredictions.probability);
  if (p.units && diagram.hasUnits) {
    diagram.drawUnits(p.units);
    state.unitsDrawn++;
  }
  diagram.render(p.weights);
  setRunning(p.running);
}

function showTrace(steps: TraceStep[]): void {
  traceSteps = steps;
  traceAt = -1;
  const list = $('trace-steps');
  list.replaceChildren(
    ...steps.map((s) => {
      const li = document.createElement('li');
      li.className = s.phase;
      li.innerHTML = `<span class="phase">${s.phase}</span> <code>${s.formula}</code><br><small>${s.shapes}</small><br><small class="trace-stats">${s.stats}</small>`;
      return li;
    }),
  );
  $<HTMLButtonElement>('trace-next').disabled = steps.length === 0;
  nextTraceStep();
}

function nextTraceStep(): void {
  if (traceSteps.length === 0) return;
  traceAt = (traceAt + 1) % traceSteps.length;
  const items = [...$('trace-steps').children];
  items.forEach((li, i) => li.classList.toggle('current', i === traceAt));
  items[traceAt]?.scrollIntoView({ block: 'nearest' });
  const layer = traceSteps[traceAt]!.layer;
  diagram.highlight(traceSteps[traceAt]!.phase === 'update' ? null : layer);
  for (const row of $('dims').querySelectorAll('tr[data-layer]')) row.classList.toggle('current', Number(row.getAttribute('data-layer')) === layer);
}

let kernelsBackend = '';
function showKernels(threads: number): void {
  const { gpu } = state;
  $('stat-kernels').textContent =
    kernelsBackend === 'webgpu' && gpu?.adapterName
      ? `WebGPU kernels on ${gpu.adapterName}${gpu.software ? ' (software)' : ''} · pictures on WebAssembly, ${threads} ${threads === 1 ? 'thread' : 'threads'}`
      : kernelsBackend === 'wasm'
        ? `WebAssembly SIMD kernels · ${threads} ${threads === 1 ? 'thread' : 'threads'}`
        : 'TypeScript reference kernels';
  state.threads = threads;
  state.backend = kernelsBackend;
}

/** The GPU choice as the worker found it: offered with the adapter's name, or not offered and why. */
function showGpu(gpu: GpuInfo): void {
  state.gpu = gpu;
  const option = $<HTMLSelectElement>('backend').querySelector<HTMLOptionElement>('option[value="webgpu"]')!;
  option.disabled = gpu.adapterName === null;
  if (gpu.adapterName === null) {
    option.dataset.why = gpu.reason;
    $('backend-note').textContent = `No GPU choice here: ${gpu.reason.replace(/; use the wasm backend$/, '')}. Training runs on the WebAssembly kernels.`;
  } else {
    delete option.dataset.why;
    $('backend-note').textContent = `GPU: ${gpu.adapterName}${gpu.software ? ', a software adapter: correct, but slower than the CPU' : ''}.`;
  }
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'ready':
      // A network asked for before the one shown (or being built) was replaced on the way.
      if (msg.build < build) return;
      if (msg.build !== build) {
        build = msg.build;
        forgetRun();
      }
      summary = msg.data;
      layerDims = msg.layerDims;
      activations = msg.activations;
      boundary.setData(msg.data);
      state.boundaryDrawn = false;
      showBoundaryNote(msg.data);
      showWhatRuns(msg);
      if (msg.data.name === 'cat' && cat) catGrid.setImages(cat.test);
      diagram.setNetwork(layerDims, activations);
      $('units-caption').hidden = !diagram.hasUnits;
      $('test-key').hidden = msg.data.mTest === 0;
      kernelsBackend = msg.backend;
      showKernels(msg.threads);
      renderDimensions($<HTMLTableElement>('dims'), $('dims-m'), layerDims, msg.data.m, activations);
      // A network was built: the data and the form are good. A network built from the form
      // replaces a loaded model, and with it the model's message.
      showError('data', '');
      showError('network', '');
      if (!msg.loaded) showError('model', '');
      state.ready = true;
      state.readyCount++;
      setRunning(false);
      return;
    case 'threads':
      return showKernels(msg.threads);
    case 'gpu':
      showGpu(msg.gpu);
      gpuAnswered(msg.gpu);
      return;
    case 'progress':
      if (msg.build === build) queueProgress(msg.progress);
      return;
    case 'paused':
      if (msg.build !== build) return;
      // The progress of the iterations before the pause is drawn first: waiting for the next frame,
      // the page showed a pause at iteration n beside iteration n - 1.
      if (pendingFrame) drawProgress();
      state.pausedAt = msg.iteration;
      setRunning(false);
      return;
    case 'trace':
      return showTrace(msg.steps);
    case 'model': {
      const url = URL.createObjectURL(new Blob([msg.bytes], { type: 'application/octet-stream' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = msg.name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      return;
    }
    case 'error':
      if (msg.field === 'data') {
        // A broken file leaves nothing to train: no old stats, no Train.
        clearView();
        summary = null;
        invalid('data', msg.message);
        return;
      }
      if (msg.field === 'diverged') showDiverged(msg.message);
      else showError(msg.field === 'model' ? 'model' : 'network', msg.message);
      setRunning(false);
      return;
  }
};

/** A run whose cost ran away, beside its cost, with the field to change marked; '' clears it. */
function showDiverged(message: string): void {
  state.diverged = message;
  if (message) state.lastError = message;
  $('diverged').hidden = !message;
  $('diverged').textContent = message ? `${message.charAt(0).toUpperCase()}${message.slice(1)} Lower the learning rate α in the form: the network starts again from its initialisation.` : '';
  $('lr').classList.toggle('suspect', message !== '');
}

/** Data with other than 2 features has no plane to draw: say so rather than show an empty square. */
function showBoundaryNote(data: DataSummary): void {
  const plane = data.nX === 2;
  $('boundary').hidden = !plane;
  $('boundary-caption').hidden = !plane;
  $('boundary-note').hidden = plane;
  $('boundary-note').textContent = plane ? '' : `${data.name} has n_x = ${data.nX} features: the decision boundary is drawn over a plane, for 2-feature data. The cost and accuracies show how training goes.`;
}

/** The form shows the network that runs: K > 2 classes run softmax + CE; a loaded model fills the form. */
function showWhatRuns(msg: Extract<FromWorker, { type: 'ready' }>): void {
  const output = msg.activations[msg.activations.length - 1]!;
  const multi = output === 'softmax';
  $<HTMLSelectElement>('output').value = output;
  $<HTMLSelectElement>('cost').value = msg.cost;
  $<HTMLSelectElement>('output').disabled = multi;
  $<HTMLSelectElement>('cost').disabled = multi;
  if (!msg.loaded) return;
  editor.set(msg.layerDims.slice(1, -1).map((units, l) => ({ units, activation: msg.activations[l]! })), { notify: false });
  $<HTMLSelectElement>('dtype').value = msg.dtype;
  // A loaded model trains where its file says nothing of: on the CPU kernels.
  $<HTMLSelectElement>('backend').value = msg.backend === 'webgpu' ? 'webgpu' : 'wasm';
  if (dataName() === 'csv') $<HTMLSelectElement>('normalize').value = msg.normalized ? 'standard' : 'none';
  $('model-error').textContent = msg.normalized ? "The model's input normalisation (from its file) is applied to the data." : '';
  // The form now describes the loaded network: a new learning rate or iteration count applies to
  // it live, and only a change to what is built (layers, data, dtype...) replaces it.
  void readForm().then((form) => (builtKey = form.ok ? form.key : ''));
}

function applyDefaults(name: DataName | 'csv'): void {
  if (name === 'csv') return;
  const d = DEFAULTS[name];
  $<HTMLInputElement>('lr').value = String(d.lr);
  $<HTMLInputElement>('iterations').value = String(d.iterations);
  // K > 2 classes: a softmax output with categorical cross-entropy, as the library picks for K classes.
  const multi = name === 'spiral' || name === 'gaussian';
  $<HTMLSelectElement>('output').value = multi ? 'softmax' : d.output;
  $<HTMLSelectElement>('cost').value = multi ? 'ce' : 'bce';
  $<HTMLSelectElement>('output').disabled = multi;
  $<HTMLSelectElement>('cost').disabled = multi;
  $<HTMLSelectElement>('init').value = d.init ?? 'xavier';
  $<HTMLInputElement>('seed').value = String(d.seed ?? 1);
  $<HTMLInputElement>('noise').value = String(d.noise);
  editor.set(d.hidden);
}

async function readCsv(file: File): Promise<void> {
  csv = { name: file.name, text: await file.text() };
  summary = null;
  scheduleConfigure();
}

/** A field the user changes is the user's now: what the address said about it (or about no field) goes. */
function forgetAddressError(id: string): void {
  addressErrors.delete(id);
  addressErrors.delete('');
}

$('data-name').addEventListener('change', () => {
  forgetAddressError('data-name');
  applyDefaults(dataName());
});
// Text fields rebuild as they are typed in; a later 'change' (on blur) must not reset training again.
for (const id of TEXT_FIELDS) {
  $(id).addEventListener('input', () => {
    forgetAddressError(id);
    scheduleConfigure();
  });
}
// The GPU computes in float32 only: choosing it chooses float32 (the CPU keeps whichever is set).
$('backend').addEventListener('change', () => {
  if (fieldValue('backend') !== 'webgpu') return;
  $<HTMLSelectElement>('dtype').value = 'float32';
  forgetAddressError('dtype');
});
for (const id of ['output', 'cost', 'init', 'optimizer', 'dtype', 'backend', 'normalize']) {
  $(id).addEventListener('change', () => {
    forgetAddressError(id);
    scheduleConfigure();
  });
}
$('add-layer').addEventListener('click', () => {
  editor.add();
  scheduleConfigure();
});
$('train').addEventListener('click', () => {
  if (!state.ready) return;
  if (state.running) {
    send({ type: 'pause' });
  } else {
    state.pausedAt = null;
    clearTrace();
    if (state.done && training) {
      const total = state.iteration + runLength;
      $<HTMLInputElement>('iterations').value = String(total);
      training = { ...training, iterations: total };
      send({ type: 'update', training });
      writeAddress();
      state.done = false;
    }
    send({ type: 'start' });
    setRunning(true);
  }
});
$('step').addEventListener('click', () => state.ready && send({ type: 'step' }));
$('reset').addEventListener('click', () => void configure(true));
$('save').addEventListener('click', () => send({ type: 'save' }));
$<HTMLInputElement>('load').addEventListener('change', async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  showError('model', '');
  clearTrace();
  const bytes = await file.arrayBuffer();
  // The shown network stays until the worker has taken the model (a file it refuses changes nothing).
  send({ type: 'load', build: ++asked, bytes, name: file.name }, [bytes]);
  (e.target as HTMLInputElement).value = '';
});
$<HTMLInputElement>('csv-file').addEventListener('change', (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (file) void readCsv(file);
});
const drop = $('csv-drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const file = e.dataTransfer?.files[0];
  if (file) void readCsv(file);
});
$('trace').addEventListener('click', () => send({ type: 'trace' }));
$('trace-next').addEventListener('click', nextTraceStep);

/** The form from the address's hash: the data set's defaults, then each setting the address gives. */
function applyAddress(): void {
  const { values, errors } = readAddress(location.hash, {
    selects: (id) => $<HTMLSelectElement>(id),
    activations: HIDDEN,
    applyData: (name) => {
      if (name !== null) $<HTMLSelectElement>('data-name').value = name;
      applyDefaults(dataName());
    },
  });
  for (const [id, value] of values) {
    if (id === 'layers') editor.set(layersFrom(value), { notify: false });
    else if (id !== 'data-name') ($(id) as HTMLInputElement | HTMLSelectElement).value = value;
  }
  for (const e of errors) addressErrors.set(e.id, e);
}

/** "8:tanh,4:relu" as the editor's rows; readAddress has checked the activations, the editor checks the units. */
function layersFrom(text: string): { units: string; activation: string }[] {
  return text === '' ? [] : text.split(',').map((part) => {
    const [units = '', activation = ''] = part.split(':');
    return { units, activation };
  });
}

// The address may ask for the GPU: it is read once the worker has said whether there is one.
void gpuKnown.then(applyAddress);
// An address edited by hand (or a link followed within the page) is read as a fresh one.
window.addEventListener('hashchange', () => {
  addressErrors.clear();
  applyAddress();
  scheduleConfigure();
});
