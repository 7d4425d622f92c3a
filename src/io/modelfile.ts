import { applyNormalization } from '../data/normalize.js';
import { ModelFileError } from '../errors.js';
import { type DType, Matrix } from '../matrix.js';
import { ACTIVATIONS, type ActivationName, OUTPUT_ACTIVATIONS } from '../nn/activations.js';
import { COSTS, type CostName } from '../nn/costs.js';
import { INITS, type InitName } from '../nn/init.js';
import { MAX_LAYERS, type Parameters } from '../nn/parameters.js';
import { parseSafetensors, readFloatTensor, serializeSafetensors, type TensorToWrite } from './safetensors.js';
import { DEEPNET_VERSION, MODEL_FORMAT_VERSION } from './version.js';

// A deepnet model file: a safetensors file with W1, b1, ..., WL, bL in the course's shapes and,
// under __metadata__, { format: "deepnet", format_version, deepnet_version, config: JSON text }.
// No timestamps: the same network gives the same bytes.

/** Per-feature input statistics applied before the network: x' = (x - mean) / std. */
export interface Normalization {
  mean: number[];
  std: number[];
}

/** Everything a model file holds besides the tensors. */
export interface ModelConfig {
  layerDims: number[];
  /** One activation per layer 1..L. */
  activations: ActivationName[];
  leakySlope: number;
  cost: CostName;
  dtype: DType;
  init: InitName;
  seed: number;
  normalization: Normalization | null;
  /**
   * classes[k] is the class of output unit k (one sigmoid unit: k = 0 below 0.5, 1 above): the
   * training set's distinct labels, numbers or names. Files written before numbers were kept hold
   * names or null (null: the outputs are class indices 0..K-1 themselves).
   */
  classes: (number | string)[] | null;
}

export interface DecodedModel {
  config: ModelConfig;
  parameters: Parameters;
  deepnetVersion: string;
}

const CONFIG_FIELDS = ['layerDims', 'activations', 'leakySlope', 'cost', 'dtype', 'init', 'seed', 'normalization', 'classes'] as const;

/** The bytes of a model file for a network's config and parameters. */
export function encodeModel(config: ModelConfig, parameters: Parameters): Uint8Array {
  const checked = checkConfig(config, 'encodeModel');
  const tensors: TensorToWrite[] = [];
  const L = checked.layerDims.length - 1;
  for (let l = 1; l <= L; l++) {
    for (const p of ['W', 'b'] as const) {
      const name = `${p}${l}`;
      const M = parameters[name];
      const shape = p === 'W' ? [checked.layerDims[l]!, checked.layerDims[l - 1]!] : [checked.layerDims[l]!, 1];
      if (!M || M.rows !== shape[0] || M.cols !== shape[1]) {
        throw new ModelFileError(`encodeModel: parameter ${name} is ${M ? `(${M.rows}, ${M.cols})` : 'missing'}, layerDims imply (${shape.join(', ')})`);
      }
      const data = M.dtype === checked.dtype ? M.data : M.astype(checked.dtype).data;
      const bad = firstNonFinite(data);
      if (bad >= 0) throw new ModelFileError(`encodeModel: parameter ${name}${at(bad, shape[1]!)} is ${data[bad]}: a model with NaN or infinite weights is not saved (the training diverged)`);
      tensors.push({ name, shape, data });
    }
  }
  // Keys in a fixed order so the JSON text (and the file) is deterministic.
  const ordered: Record<string, unknown> = {};
  for (const k of CONFIG_FIELDS) ordered[k] = checked[k];
  return serializeSafetensors(tensors, {
    format: 'deepnet',
    format_version: String(MODEL_FORMAT_VERSION),
    deepnet_version: DEEPNET_VERSION,
    config: JSON.stringify(ordered),
  });
}

/** Reads a model file's bytes; every failure is a ModelFileError naming `source` and the tensor or field. */
export function decodeModel(bytes: Uint8Array, source = 'model file'): DecodedModel {
  const file = parseSafetensors(bytes, source, { maxTensors: 2 * MAX_LAYERS });
  const meta = file.metadata;
  if (!meta || meta.format !== 'deepnet') {
    throw new ModelFileError(`${source}: __metadata__.format is ${JSON.stringify(meta?.format)}, not "deepnet": not a deepnet model file`);
  }
  const version = Number(meta.format_version);
  if (!/^\d+$/.test(meta.format_version ?? '') || version < 1) {
    throw new ModelFileError(`${source}: __metadata__.format_version must be a positive integer, got ${JSON.stringify(meta.format_version)}`);
  }
  if (version > MODEL_FORMAT_VERSION) {
    throw new ModelFileError(
      `${source}: written by a newer deepnet (${meta.deepnet_version ?? '?'}, format version ${version}); this deepnet ${DEEPNET_VERSION} reads format version ${MODEL_FORMAT_VERSION}: upgrade deepnet`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(meta.config ?? '');
  } catch (e) {
    throw new ModelFileError(`${source}: __metadata__.config is not valid JSON (${(e as Error).message})`);
  }
  const config = checkConfig(raw, source);
  const want = config.dtype === 'float64' ? 'F64' : 'F32';
  const byName = new Map(file.tensors.map((t) => [t.name, t]));
  const parameters: Parameters = {};
  const L = config.layerDims.length - 1;
  for (let l = 1; l <= L; l++) {
    for (const p of ['W', 'b'] as const) {
      const name = `${p}${l}`;
      const t = byName.get(name);
      const shape = p === 'W' ? [config.layerDims[l]!, config.layerDims[l - 1]!] : [config.layerDims[l]!, 1];
      if (!t) throw new ModelFileError(`${source}: tensor ${name} is missing (layerDims ${JSON.stringify(config.layerDims)} need W1, b1, ..., W${L}, b${L})`);
      if (t.shape.length !== 2 || t.shape[0] !== shape[0] || t.shape[1] !== shape[1]) {
        throw new ModelFileError(`${source}: tensor ${name} has shape ${JSON.stringify(t.shape)} but layerDims ${JSON.stringify(config.layerDims)} imply [${shape.join(', ')}]`);
      }
      if (t.dtype !== want) throw new ModelFileError(`${source}: tensor ${name} is ${t.dtype} but config.dtype ${config.dtype} needs ${want}`);
      const data = readFloatTensor(file, t);
      const bad = firstNonFinite(data);
      if (bad >= 0) throw new ModelFileError(`${source}: tensor ${name}${at(bad, shape[1]!)} is ${data[bad]}: a model with NaN or infinite weights cannot be used`);
      parameters[name] = Matrix.fromTypedArray(data, shape[0]!, shape[1]!);
      byName.delete(name);
    }
  }
  const extra = [...byName.keys()];
  if (extra.length > 0) throw new ModelFileError(`${source}: unexpected tensor ${extra[0]} (a network with layerDims ${JSON.stringify(config.layerDims)} has W1..W${L}, b1..b${L})`);
  return { config, parameters, deepnetVersion: meta.deepnet_version ?? '' };
}

/** The index of the first NaN or ±Infinity in a, or -1. */
function firstNonFinite(a: Float32Array | Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return i;
  return -1;
}

/** "[row, col]" of a row-major index. */
function at(index: number, cols: number): string {
  return `[${Math.floor(index / cols)}, ${index % cols}]`;
}

function field(source: string, name: string, what: string, value: unknown): never {
  throw new ModelFileError(`${source}: config.${name} must be ${what}, got ${JSON.stringify(value)}`);
}

function finiteList(v: unknown, n: number): v is number[] {
  return Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

/** Validates a config read from a file (or about to be written). */
export function checkConfig(raw: unknown, source: string): ModelConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ModelFileError(`${source}: __metadata__.config must be a JSON object`);
  const c = raw as Record<string, unknown>;
  const dims = c.layerDims;
  if (!Array.isArray(dims) || dims.length < 2 || dims.length > MAX_LAYERS + 1 || !dims.every((d) => Number.isSafeInteger(d) && (d as number) >= 1)) {
    field(source, 'layerDims', `a list of at least 2 positive integers [n0, ..., nL] (at most ${MAX_LAYERS + 1})`, dims);
  }
  const L = dims.length - 1;
  const acts = c.activations;
  if (!Array.isArray(acts) || acts.length !== L) field(source, 'activations', `a list of ${L} activations (one per layer 1..L)`, acts);
  acts.forEach((a, i) => {
    // Softmax normalises over the output units, so only the output layer may have it.
    const allowed = i === L - 1 ? OUTPUT_ACTIVATIONS : ACTIVATIONS;
    if (!allowed.includes(a as ActivationName)) field(source, `activations[${i}]`, `one of ${allowed.join(', ')}`, a);
  });
  if (typeof c.leakySlope !== 'number' || !Number.isFinite(c.leakySlope)) field(source, 'leakySlope', 'a finite number', c.leakySlope);
  if (!COSTS.includes(c.cost as CostName)) field(source, 'cost', `one of ${COSTS.join(', ')}`, c.cost);
  if (c.dtype !== 'float64' && c.dtype !== 'float32') field(source, 'dtype', '"float64" or "float32"', c.dtype);
  if (!INITS.includes(c.init as InitName)) field(source, 'init', `one of ${INITS.join(', ')}`, c.init);
  if (!Number.isSafeInteger(c.seed) || (c.seed as number) < 0) field(source, 'seed', 'a non-negative integer', c.seed);
  let normalization: Normalization | null = null;
  if (c.normalization !== null && c.normalization !== undefined) {
    const nz = c.normalization as Record<string, unknown>;
    if (typeof nz !== 'object' || !finiteList(nz.mean, dims[0]!) || !finiteList(nz.std, dims[0]!) || !(nz.std as number[]).every((s) => s > 0)) {
      field(source, 'normalization', `null or { mean, std }, each ${dims[0]} finite numbers (std > 0)`, c.normalization);
    }
    normalization = { mean: [...(nz.mean as number[])], std: [...(nz.std as number[])] };
  }
  let classes: (number | string)[] | null = null;
  if (c.classes !== null && c.classes !== undefined) {
    const isClass = (s: unknown) => typeof s === 'string' || (typeof s === 'number' && Number.isFinite(s));
    if (!Array.isArray(c.classes) || !c.classes.every(isClass) || new Set(c.classes).size !== c.classes.length) {
      field(source, 'classes', 'null or a list of distinct class labels (numbers or strings)', c.classes);
    }
    classes = [...(c.classes as (number | string)[])];
  }
  return {
    layerDims: [...(dims as number[])],
    activations: [...(acts as ActivationName[])],
    leakySlope: c.leakySlope,
    cost: c.cost as CostName,
    dtype: c.dtype,
    init: c.init as InitName,
    seed: c.seed as number,
    normalization,
    classes,
  };
}

/** Applies a model's input normalisation to X (n_x, m): a new matrix, X itself when there is none. */
export function normalizeInput(X: Matrix, normalization: Normalization | null | undefined): Matrix {
  return normalization ? applyNormalization(X, normalization) : X;
}
