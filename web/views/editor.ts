import { ConfigError } from '../../src/errors.js';
import { resolveNetworkConfig } from '../../src/nn/network.js';
import type { LayerSpec, NetworkSpec } from '../protocol.js';

const HIDDEN = ['relu', 'tanh', 'sigmoid', 'leakyRelu', 'linear'];
const MAX_UNITS = 1000;

/** The network editor: hidden layers (units, activation), added and removed. */
export class LayerEditor {
  private readonly rows: HTMLElement[] = [];

  constructor(
    private readonly container: HTMLElement,
    private readonly onChange: () => void,
  ) {}

  /** Fills the editor; `notify: false` when the form only shows a network that already runs (a loaded model). */
  set(layers: LayerSpec[], { notify = true } = {}): void {
    this.container.replaceChildren();
    this.rows.length = 0;
    for (const layer of layers) this.add(layer);
    if (notify) this.onChange();
  }

  add(layer: LayerSpec = { units: 4, activation: 'relu' }): void {
    const row = document.createElement('div');
    row.className = 'layer-row';
    row.innerHTML = `<span class="layer-name"></span>
      <input class="units" type="text" inputmode="numeric" aria-label="units" value="${layer.units}" />
      <select class="activation" aria-label="activation">${HIDDEN.map((a) => `<option value="${a}"${a === layer.activation ? ' selected' : ''}>${a}</option>`).join('')}</select>
      <button type="button" class="remove" title="remove this layer">×</button>
      <p class="field-error layer-error" role="alert"></p>`;
    row.querySelector('.remove')!.addEventListener('click', () => {
      this.rows.splice(this.rows.indexOf(row), 1);
      row.remove();
      this.renumber();
      this.onChange();
    });
    row.querySelector('.units')!.addEventListener('input', () => this.onChange());
    row.querySelector('.activation')!.addEventListener('change', () => this.onChange());
    this.rows.push(row);
    this.container.append(row);
    this.renumber();
  }

  private renumber(): void {
    this.rows.forEach((row, i) => (row.querySelector('.layer-name')!.textContent = `layer ${i + 1}`));
  }

  /** The hidden layers, with an inline message on each invalid row; null when any is invalid. */
  read(): LayerSpec[] | null {
    let ok = true;
    const layers = this.rows.map((row, i) => {
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
  dtype: string;
}

/**
 * Checks the settings and returns the network spec, or the message to show beside the form.
 * The library's own validator has the last word, so the page says what the library would.
 */
export function readNetwork(hidden: LayerSpec[], f: FieldReaders, nX: number, nY: number): NetworkSpec | string {
  const seed = Number(f.seed);
  if (!/^\d+$/.test(f.seed.trim()) || seed > 2 ** 32 - 1) return `The seed must be a whole number from 0 to 2^32 - 1, not "${f.seed}".`;
  const learningRate = Number(f.lr);
  if (f.lr.trim() === '' || !Number.isFinite(learningRate) || learningRate <= 0) return `The learning rate α must be a number > 0, not "${f.lr}".`;
  const iterations = Number(f.iterations);
  if (!/^\d+$/.test(f.iterations.trim()) || iterations < 1 || iterations > 1_000_000) return `Iterations must be a whole number from 1 to 1000000, not "${f.iterations}".`;
  const spec: NetworkSpec = {
    hidden,
    output: f.output,
    cost: f.cost,
    init: f.init,
    seed,
    learningRate,
    iterations,
    optimizer: f.optimizer,
    dtype: f.dtype === 'float32' ? 'float32' : 'float64',
  };
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
    if (e instanceof ConfigError) return e.message.charAt(0).toUpperCase() + e.message.slice(1) + '.';
    throw e;
  }
  return spec;
}
