import { ConfigError } from '../../src/errors.js';
import { parseDecimal } from '../../src/io/decimal.js';
import { resolveNetworkConfig } from '../../src/nn/network.js';
import type { LayerSpec, NetworkSpec } from '../protocol.js';

export const HIDDEN = ['relu', 'tanh', 'sigmoid', 'leakyRelu', 'linear'];
const MAX_UNITS = 1000;

/** A hidden layer as the editor holds it: the units as typed (the address's may be invalid, and are explained). */
export interface LayerText {
  units: number | string;
  activation: string;
}

/** The network editor: hidden layers (units, activation), added and removed. */
export class LayerEditor {
  private readonly rowElements: HTMLElement[] = [];

  constructor(
    private readonly container: HTMLElement,
    private readonly onChange: () => void,
  ) {}

  /** Fills the editor; `notify: false` when the form only shows a network that already runs (a loaded model). */
  set(layers: LayerText[], { notify = true } = {}): void {
    this.container.replaceChildren();
    this.rowElements.length = 0;
    for (const layer of layers) this.add(layer);
    if (notify) this.onChange();
  }

  add(layer: LayerText = { units: 4, activation: 'relu' }): void {
    const row = document.createElement('div');
    row.className = 'layer-row';
    row.innerHTML = `<span class="layer-name"></span>
      <input class="units" type="text" inputmode="numeric" aria-label="units" title="n[l], the units of this layer: W[l] is (n[l], n[l-1])" />
      <select class="activation" aria-label="activation" title="g[l] in A[l] = g[l](Z[l])">${HIDDEN.map((a) => `<option value="${a}"${a === layer.activation ? ' selected' : ''}>${a}</option>`).join('')}</select>
      <button type="button" class="remove" title="remove this layer">×</button>
      <p class="field-error layer-error" role="alert"></p>`;
    // As a property, not markup: the address's text is shown as it is, whatever it holds.
    (row.querySelector('.units') as HTMLInputElement).value = String(layer.units);
    row.querySelector('.remove')!.addEventListener('click', () => {
      this.rowElements.splice(this.rowElements.indexOf(row), 1);
      row.remove();
      this.renumber();
      this.onChange();
    });
    row.querySelector('.units')!.addEventListener('input', () => this.onChange());
    row.querySelector('.activation')!.addEventListener('change', () => this.onChange());
    this.rowElements.push(row);
    this.container.append(row);
    this.renumber();
  }

  private renumber(): void {
    this.rowElements.forEach((row, i) => (row.querySelector('.layer-name')!.textContent = `layer ${i + 1}`));
  }

  /** The rows as they stand, valid or not (the address writes them). */
  rows(): { units: string; activation: string }[] {
    return this.rowElements.map((row) => ({ units: (row.querySelector('.units') as HTMLInputElement).value, activation: (row.querySelector('.activation') as HTMLSelectElement).value }));
  }

  /** The hidden layers, with an inline message on each invalid row; null when any is invalid. */
  read(): LayerSpec[] | null {
    let ok = true;
    const layers = this.rowElements.map((row, i) => {
      const text = (row.querySelector('.units') as HTMLInputElement).value.trim();
      const activation = (row.querySelector('.activation') as HTMLSelectElement).value;
      const units = Number(text);
      const error = row.querySelector('.layer-error')!;
      if (!/^\d+$/.test(text) || units < 1 || units > MAX_UNITS) {
        error.textContent = `Layer ${i + 1} needs a whole number of units from 1 to ${MAX_UNITS}, not "${text}".`;
        row.classList.add('invalid');
        ok = false;
      } else {
        error.textContent = '';
        row.classList.remove('invalid');
      }
      return { units, activation };
    });
    return ok ? layers : null;
  }
}

export interface FieldReaders {
  output: string;
  cost: string;
  init: string;
  seed: string;
  lr: string;
  iterations: string;
  optimizer: string;
  batchSize: string;
  lambd: string;
  keepProb: string;
  dtype: string;
  backend: string;
}

/** Why the form cannot be built: the message, and the id of the field it is about (null: the network as a whole). */
export interface FieldError {
  field: keyof FieldReaders | null;
  message: string;
}

/**
 * What the GPU cannot train, named by its field: the webgpu backend runs the course's full-batch
 * gradient descent in float32 only, and fitAsync would refuse the rest.
 */
function gpuRefusal(spec: NetworkSpec): FieldError | null {
  const refuse = (field: keyof FieldReaders, what: string): FieldError => ({
    field,
    message: `On the GPU (WebGPU) ${what}: it trains the course's full-batch gradient descent in float32 only. Change it, or choose the CPU (WebAssembly) kernels.`,
  });
  if (spec.batchSize !== null) return refuse('batchSize', `the batch size must be empty (full batch), not ${spec.batchSize}`);
  if (spec.optimizer !== 'gd') return refuse('optimizer', `the optimiser must be gradient descent, not ${spec.optimizer}`);
  if (spec.lambd !== 0) return refuse('lambd', `L2 λ must be 0, not ${spec.lambd}`);
  if (spec.keepProb !== 1) return refuse('keepProb', `dropout keep_prob must be 1, not ${spec.keepProb}`);
  if (spec.dtype !== 'float32') return refuse('dtype', `dtype must be float32 (WebGPU has no float64), not ${spec.dtype}`);
  return null;
}

/**
 * Checks the settings and returns the network spec, or the message to show beside the form.
 * The library's own validator has the last word, so the page says what the library would.
 * `m`: the training samples a mini-batch is drawn from, when known.
 */
export function readNetwork(hidden: LayerSpec[], f: FieldReaders, nX: number, nY: number, m?: number): NetworkSpec | FieldError {
  const seed = Number(f.seed);
  if (!/^\d+$/.test(f.seed.trim()) || seed > 2 ** 32 - 1) return { field: 'seed', message: `The seed must be a whole number from 0 to 2^32 - 1, not "${f.seed}".` };
  const learningRate = parseDecimal(f.lr);
  if (!Number.isFinite(learningRate) || learningRate <= 0) return { field: 'lr', message: `The learning rate α must be a number > 0, not "${f.lr}".` };
  const iterations = Number(f.iterations);
  if (!/^\d+$/.test(f.iterations.trim()) || iterations < 1 || iterations > 1_000_000) return { field: 'iterations', message: `Iterations must be a whole number from 1 to 1000000, not "${f.iterations}".` };
  // Empty is the course's full batch; a mini-batch is at most the m samples trained on.
  const batchText = f.batchSize.trim();
  const batchSize = batchText === '' ? null : Number(batchText);
  if (batchSize !== null && (!/^\d+$/.test(batchText) || batchSize < 1 || (m !== undefined && batchSize > m))) {
    return { field: 'batchSize', message: `The batch size must be a whole number of samples from 1 to ${m === undefined ? 'm' : `m = ${m}`}, or empty for full batch, not "${f.batchSize}".` };
  }
  const lambd = parseDecimal(f.lambd);
  if (!Number.isFinite(lambd) || lambd < 0) return { field: 'lambd', message: `L2 λ must be a number ≥ 0 (0: none), not "${f.lambd}".` };
  const keepProb = parseDecimal(f.keepProb);
  if (!Number.isFinite(keepProb) || keepProb <= 0 || keepProb > 1) return { field: 'keepProb', message: `Dropout keep_prob must be a number in (0, 1] (1: none), not "${f.keepProb}".` };
  if (keepProb < 1 && hidden.length === 0) return { field: 'keepProb', message: 'Dropout keep_prob acts on hidden layers and this network has none: it must be 1.' };
  const spec: NetworkSpec = {
    hidden,
    output: f.output,
    cost: f.cost,
    init: f.init,
    seed,
    learningRate,
    iterations,
    optimizer: f.optimizer,
    batchSize,
    lambd,
    keepProb,
    dtype: f.dtype === 'float32' ? 'float32' : 'float64',
    backend: f.backend === 'webgpu' ? 'webgpu' : 'wasm',
  };
  if (spec.backend === 'webgpu') {
    const gpuError = gpuRefusal(spec);
    if (gpuError) return gpuError;
  }
  if (nY > 2) return spec; // K classes: the worker switches to softmax + cross-entropy.
  try {
    resolveNetworkConfig({
      layerDims: [nX, ...hidden.map((h) => h.units), 1],
      activations: [...hidden.map((h) => h.activation), f.output] as never,
      cost: f.cost as never,
      init: f.init as never,
      seed,
    });
  } catch (e) {
    if (e instanceof ConfigError) return { field: null, message: e.message.charAt(0).toUpperCase() + e.message.slice(1) + '.' };
    throw e;
  }
  return spec;
}
