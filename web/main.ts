import './style.css';
import type { CatBytes, DataName, DataSpec, DataSummary, FromWorker, LayerSpec, NetworkSpec, Progress, ToWorker, TraceStep } from './protocol.js';
import { BoundaryView } from './views/boundary.js';
import { CatGrid } from './views/catGrid.js';
import { CostChart } from './views/chart.js';
import { NetworkDiagram } from './views/diagram.js';
import { renderDimensions } from './views/dims.js';
import { LayerEditor, readNetwork } from './views/editor.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

// What the page shows, also read by the browser tests.
const state = {
  costs: [] as [number, number][],
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
  /** Threads the kernels run on, and the chunks of large products each has computed. */
  threads: 0,
  chunksByThread: [] as number[],
};
(window as unknown as { deepnet: typeof state }).deepnet = state;

// Settings that suit each data set, as the course trains them.
const DEFAULTS: Record<DataName, { hidden: LayerSpec[]; lr: number; iterations: number; output: string; init?: string; seed?: number }> = {
  // Week 3: n_h = 4 tanh units, randn x 0.01 from seed 2, α = 1.2: the notebook's own run.
  planar: { hidden: [{ units: 4, activation: 'tanh' }], lr: 1.2, iterations: 10000, output: 'sigmoid', init: 'small', seed: 2 },
  xor: { hidden: [{ units: 4, activation: 'tanh' }], lr: 0.5, iterations: 3000, output: 'sigmoid' },
  circles: { hidden: [{ units: 8, activation: 'relu' }, { units: 4, activation: 'relu' }], lr: 0.3, iterations: 3000, output: 'sigmoid' },
  moons: { hidden: [{ units: 8, activation: 'tanh' }, { units: 4, activation: 'tanh' }], lr: 0.3, iterations: 3000, output: 'sigmoid' },
  spiral: { hidden: [{ units: 16, activation: 'relu' }, { units: 16, activation: 'relu' }], lr: 0.5, iterations: 5000, output: 'sigmoid' },
  gaussian: { hidden: [{ units: 6, activation: 'relu' }], lr: 0.3, iterations: 2000, output: 'sigmoid' },
  cat: { hidden: [{ units: 20, activation: 'relu' }, { units: 7, activation: 'relu' }, { units: 5, activation: 'relu' }], lr: 0.0075, iterations: 2500, output: 'sigmoid' },
};

// ?threads=N picks the kernels' threads; by default, the cores (1 unless cross-origin isolated).
const threadsParam = new URLSearchParams(location.search).get('threads');
const threads = threadsParam === null ? undefined : Number(threadsParam);
const threadsValid = threads === undefined || (/^\d+$/.test(threadsParam!) && threads >= 1 && threads <= 64);

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (message: ToWorker, transfer: Transferable[] = []) => worker.postMessage(message, transfer);

const chart = new CostChart($('chart'));
const boundary = new BoundaryView($<HTMLCanvasElement>('boundary'));
const diagram = new NetworkDiagram($('diagram') as unknown as SVGSVGElement);
const catGrid = new CatGrid($('cat-grid'));
const editor = new LayerEditor($('layers'), () => scheduleConfigure());

let summary: DataSummary | null = null;
let layerDims: number[] = [];
let activations: string[] = [];
let csv: { name: string; text: string } | null = null;
let cat: { train: CatBytes; test: CatBytes } | null = null;
let traceSteps: TraceStep[] = [];
let traceAt = -1;
/** What the worker's network was built from, but the learning rate and iterations (those apply live). */
let builtKey = '';
/** Iterations per run: "Continue" after Done trains this many more. */
let runLength = 0;

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

async function readForm(): Promise<Form> {
  const name = dataName();
  $('csv-drop').hidden = name !== 'csv';
  // Only the synthetic sets are drawn from a seed; planar is the course's fixed flower.
  $('data-seed-field').hidden = name === 'csv' || name === 'cat' || name === 'planar';
  $('boundary-box').hidden = name === 'cat';
  $('cat-box').hidden = name !== 'cat';
  let data: DataSpec;
  let nX = 2;
  let nY = name === 'spiral' || name === 'gaussian' ? 3 : 1;
  if (name === 'csv') {
    if (!csv) return { ok: false, field: 'data', message: 'Choose or drop a CSV file.' };
    data = { kind: 'csv', name: csv.name, text: csv.text };
    nX = summary?.nX ?? 2;
    nY = 1;
  } else {
    const seedText = fieldValue('data-seed');
    if (!/^\d+$/.test(seedText.trim())) return { ok: false, field: 'data', message: `The data seed must be a whole number, not "${seedText}".` };
    data = { kind: 'builtin', name, seed: Number(seedText) };
    if (name === 'cat') {
      cat ??= await loadCat();
      nX = 12288;
    }
  }
  if (!threadsValid) return { ok: false, field: 'network', message: `The address's ?threads= must be a whole number of threads from 1 to 64, not "${threadsParam}".` };
  const hidden = editor.read();
  // The editor shows its own message beside the layer.
  if (!hidden) return { ok: false, field: 'network', message: '' };
  const spec = readNetwork(hidden, {
    output: fieldValue('output'),
    cost: fieldValue('cost'),
    init: fieldValue('init'),
    seed: fieldValue('seed'),
    lr: fieldValue('lr'),
    iterations: fieldValue('iterations'),
    optimizer: fieldValue('optimizer'),
    dtype: fieldValue('dtype'),
  }, nX, nY);
  for (const id of ['lr', 'iterations', 'seed']) $(id).classList.remove('invalid');
  if (typeof spec === 'string') {
    // Mark the field the message is about.
    const field = /learning rate/.test(spec) ? 'lr' : /Iterations/.test(spec) ? 'iterations' : /seed/.test(spec) ? 'seed' : null;
    if (field) $(field).classList.add('invalid');
    return { ok: false, field: 'network', message: spec };
  }
  const normalize = fieldValue('normalize') as 'none' | 'standard' | 'minmax';
  // The learning rate and iterations are not part of what is built: they apply live.
  const key = JSON.stringify({ data: data.kind === 'csv' ? [data.name, data.text.length] : data, spec: { ...spec, learningRate: 0, iterations: 0 }, normalize });
  return { ok: true, name, data, spec, normalize, key };
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
  if (!force && key === builtKey && state.ready) {
    // Same network: the new learning rate or iteration count applies from the next iteration.
    send({ type: 'update', learningRate: spec.learningRate, iterations: spec.iterations });
    runLength = spec.iterations;
    return;
  }
  builtKey = key;
  runLength = spec.iterations;
  clearTrace();
  state.ready = false;
  state.costs = [];
  state.iteration = 0;
  state.done = false;
  state.pausedAt = null;
  chart.reset();
  setRunning(false);
  send(name === 'cat' && cat ? { type: 'configure', data, network: spec, normalize, catTrain: cat.train, catTest: cat.test, threads } : { type: 'configure', data, network: spec, normalize, threads });
}

function setRunning(running: boolean): void {
  state.running = running;
  // After Done, Train goes on for as many iterations again (the TensorFlow Playground trains on).
  $('train').textContent = running ? 'Pause' : state.done ? 'Continue' : state.iteration > 0 ? 'Resume' : 'Train';
  $('train').title = state.done ? `train ${runLength} more iterations` : '';
  $<HTMLButtonElement>('train').disabled = !state.ready;
  $<HTMLButtonElement>('step').disabled = running || !state.ready;
}

function fmt(x: number | null, digits = 4): string {
  return x === null || Number.isNaN(x) ? '–' : x.toFixed(digits);
}

// Progress arrives as often as the worker sends it; the page draws at most once per frame, the
// latest state, so that the main thread does one small piece of work per frame whatever the data.
let pendingFrame: Progress | null = null;
let pendingCosts: [number, number][] = [];
function queueProgress(p: Progress): void {
  pendingCosts.push(...p.costs);
  const first = pendingFrame === null;
  pendingFrame = { ...p, costs: pendingCosts, boundary: p.boundary ?? pendingFrame?.boundary, testPredictions: p.testPredictions ?? pendingFrame?.testPredictions };
  if (first) requestAnimationFrame(drawProgress);
}

function drawProgress(): void {
  const p = pendingFrame;
  pendingFrame = null;
  pendingCosts = [];
  if (p) onProgress(p);
}

function onProgress(p: Progress): void {
  state.costs.push(...p.costs);
  state.iteration = p.iteration;
  state.done = p.done;
  state.trainAccuracy = p.trainAccuracy;
  state.testAccuracy = p.testAccuracy;
  state.chunksByThread = p.chunksByThread;
  chart.add(p.costs);
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
  $('stat-kernels').textContent =
    kernelsBackend === 'wasm' ? `WebAssembly SIMD kernels · ${threads} ${threads === 1 ? 'thread' : 'threads'}` : 'TypeScript reference kernels';
  state.threads = threads;
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'ready':
      summary = msg.data;
      layerDims = msg.layerDims;
      activations = msg.activations;
      boundary.setData(msg.data);
      state.boundaryDrawn = false;
      showBoundaryNote(msg.data);
      showWhatRuns(msg);
      if (msg.data.name === 'cat' && cat) catGrid.setImages(cat.test);
      diagram.setNetwork(layerDims, activations);
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
    case 'progress':
      return queueProgress(msg.progress);
    case 'paused':
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
      showError(msg.field === 'model' ? 'model' : 'network', msg.message);
      setRunning(false);
      return;
  }
};

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
  editor.set(d.hidden);
}

async function readCsv(file: File): Promise<void> {
  csv = { name: file.name, text: await file.text() };
  summary = null;
  scheduleConfigure();
}

$('data-name').addEventListener('change', () => applyDefaults(dataName()));
// Text fields rebuild as they are typed in; a later 'change' (on blur) must not reset training again.
for (const id of ['data-seed', 'seed', 'lr', 'iterations']) $(id).addEventListener('input', scheduleConfigure);
for (const id of ['output', 'cost', 'init', 'optimizer', 'dtype', 'normalize']) $(id).addEventListener('change', scheduleConfigure);
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
    if (state.done) {
      const total = state.iteration + runLength;
      $<HTMLInputElement>('iterations').value = String(total);
      send({ type: 'update', learningRate: Number(fieldValue('lr')), iterations: total });
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
  send({ type: 'load', bytes, name: file.name }, [bytes]);
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

applyDefaults('planar');
