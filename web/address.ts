// The playground's state in its address: #data=moons&dataSeed=1&...&layers=8:tanh,4:tanh. Each
// setting is named as the library's options are; a value the form could not show is an error the
// page explains beside the field, never a value quietly replaced.

/** Each setting of the address and the form element it fills ('layers': the layer editor). */
export const ADDRESS_FIELDS = {
  data: 'data-name',
  dataSeed: 'data-seed',
  noise: 'noise',
  trainPercent: 'train-percent',
  layers: 'layers',
  output: 'output',
  cost: 'cost',
  init: 'init',
  seed: 'seed',
  lr: 'lr',
  iterations: 'iterations',
  optimizer: 'optimizer',
  batchSize: 'batch-size',
  lambd: 'lambd',
  keepProb: 'keep-prob',
  dtype: 'dtype',
  backend: 'backend',
  normalize: 'normalize',
} as const;

const DATA_FIELDS = new Set<string>(['data-name', 'data-seed', 'noise', 'train-percent', 'normalize']);

/** A setting the address gives that the form cannot take: `id` is its element ('' for no field). */
export interface AddressError {
  id: string;
  field: 'data' | 'network';
  message: string;
}

export interface AddressForm {
  /** The select of an element id, for the choices it offers (a disabled select offers only its value). */
  selects: (id: string) => HTMLSelectElement;
  /** The hidden layers' activations. */
  activations: readonly string[];
  /** Fills the form with a data set's defaults: called first, with the address's data set if it is one. */
  applyData: (name: string | null) => void;
}

/** "8:tanh,4:relu": each hidden layer's units and activation, as the address writes them. */
export function layersText(rows: readonly { units: string; activation: string }[]): string {
  return rows.map((r) => `${r.units.trim()}:${r.activation}`).join(',');
}

/**
 * The settings of an address's hash by element id, the text fields' values as written (the form
 * checks them as it checks typing), and what is wrong with the others.
 */
export function readAddress(hash: string, form: AddressForm): { values: Map<string, string>; errors: AddressError[] } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const values = new Map<string, string>();
  const errors: AddressError[] = [];
  const fail = (id: string, message: string) => errors.push({ id, field: DATA_FIELDS.has(id) ? 'data' : 'network', message });
  // The data set first: its defaults are what the other settings change, and it decides the selects K classes fix.
  const keys = [...new Set(params.keys())].sort((a, b) => Number(b === 'data') - Number(a === 'data'));
  let dataApplied = false;
  for (const key of keys) {
    if (key !== 'data' && !dataApplied) {
      form.applyData(values.get('data-name') ?? null);
      dataApplied = true;
    }
    const id = (ADDRESS_FIELDS as Record<string, string>)[key];
    const given = params.getAll(key);
    const value = given[given.length - 1]!;
    if (id === undefined) {
      fail('', `The address names no setting "${key}"; its settings are ${Object.keys(ADDRESS_FIELDS).join(', ')}.`);
      continue;
    }
    if (given.length > 1) {
      fail(id, `The address gives ${key}= ${given.length} times (${given.map((v) => `"${v}"`).join(', ')}); give it once.`);
      continue;
    }
    if (id === 'layers') {
      const bad = value === '' ? undefined : value.split(',').find((part) => !/^[^:]*:[^:]*$/.test(part) || !form.activations.includes(part.split(':')[1]!));
      if (bad !== undefined) {
        fail('layers', `The address's layers= must list units:activation for each hidden layer (e.g. 8:tanh,4:relu; activations ${form.activations.join(', ')}), not "${bad}".`);
        continue;
      }
    } else if (document.getElementById(id) instanceof HTMLSelectElement) {
      const select = form.selects(id);
      if (select.disabled && value !== select.value) {
        fail(id, `The address's ${key}= must be ${select.value} for these data (K > 2 classes run softmax and cross-entropy), not "${value}".`);
        continue;
      }
      // A choice this browser cannot give (the GPU without an adapter) says why.
      const why = [...select.options].find((o) => o.disabled && o.value === value)?.dataset.why;
      if (!select.disabled && why) {
        fail(id, `The address's ${key}= asks for ${value}, which this browser cannot give: ${why}`);
        continue;
      }
      const choices = [...select.options].filter((o) => !o.disabled).map((o) => o.value);
      if (!select.disabled && !choices.includes(value)) {
        fail(id, `The address's ${key}= must be one of ${choices.join(', ')}, not "${value}".`);
        continue;
      }
    }
    values.set(id, value);
  }
  if (!dataApplied) form.applyData(values.get('data-name') ?? null);
  return { values, errors };
}
