import type { ActivationKernel } from '../backend/backend.js';
import { ConfigError } from '../errors.js';

// Each activation: g and g' side by side, so a derivative is checked by reading one screen.
// g' takes z and a = g(z): sigmoid and tanh reuse a, as the course's backward functions do.

export type ActivationName = 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'linear' | 'softmax';
/** The elementwise activations: any layer may use them. */
export const ACTIVATIONS: readonly ActivationName[] = ['sigmoid', 'tanh', 'relu', 'leakyRelu', 'linear'];
/** What the output layer may use: the elementwise ones and softmax (per column, nn/softmax.ts). */
export const OUTPUT_ACTIVATIONS: readonly ActivationName[] = [...ACTIVATIONS, 'softmax'];

/** The slope of leaky ReLU for z <= 0 unless told otherwise (the course uses 0.01). */
export const DEFAULT_LEAKY_SLOPE = 0.01;

export const sigmoid: ActivationKernel = {
  name: 'sigmoid',
  slope: 0,
  g: (z: number) => 1 / (1 + Math.exp(-z)),
  // The course's sigmoid_backward: dZ = dA * s * (1 - s).
  dg: (_z: number, a: number) => a * (1 - a),
};

export const tanh: ActivationKernel = {
  name: 'tanh',
  slope: 0,
  g: (z: number) => Math.tanh(z),
  dg: (_z: number, a: number) => 1 - a * a,
};

export const relu: ActivationKernel = {
  name: 'relu',
  slope: 0,
  // numpy's maximum(0, z): a NaN stays NaN, so a diverged run is never hidden behind zeros.
  g: (z: number) => (z <= 0 ? 0 : z),
  // relu'(0) = 0, as the course's relu_backward (dZ[Z <= 0] = 0); a NaN z keeps dA, as it does.
  dg: (z: number) => (z <= 0 ? 0 : 1),
};

export function leakyRelu(slope = DEFAULT_LEAKY_SLOPE): ActivationKernel {
  if (!Number.isFinite(slope) || slope < 0 || slope >= 1) {
    throw new ConfigError(`leakyRelu slope must be a finite number in [0, 1), got ${slope}`);
  }
  return {
    name: 'leakyRelu',
    slope,
    g: (z: number) => (z > 0 ? z : slope * z),
    dg: (z: number) => (z > 0 ? 1 : slope),
  };
}

export const linear: ActivationKernel = {
  name: 'linear',
  slope: 0,
  g: (z: number) => z,
  dg: () => 1,
};

// Softmax normalises each column, so it has no scalar g; layer.ts sends it to nn/softmax.ts
// before any backend sees it, and a kernel that reached one anyway fails loudly.
function columnwiseOnly(): never {
  throw new ConfigError('softmax normalises each column of Z; it has no elementwise g(z) (use softmax() from nn/softmax.ts)');
}
export const softmaxActivation = {
  name: 'softmax',
  slope: 0,
  g: columnwiseOnly,
  dg: columnwiseOnly,
};

const leakyDefault = leakyRelu();

/** The kernel for a name; an unknown name is a ConfigError that lists the known ones. */
export function activation(name: string, slope = DEFAULT_LEAKY_SLOPE, where = 'activation'): ActivationKernel {
  switch (name) {
    case 'sigmoid':
      return sigmoid;
    case 'tanh':
      return tanh;
    case 'relu':
      return relu;
    case 'leakyRelu':
      return slope === DEFAULT_LEAKY_SLOPE ? leakyDefault : leakyRelu(slope);
    case 'linear':
      return linear;
    case 'softmax':
      return softmaxActivation;
    default:
      throw new ConfigError(`${where}: unknown activation ${JSON.stringify(name)}; choose one of ${OUTPUT_ACTIVATIONS.join(', ')}`);
  }
}

export function isActivationName(name: unknown): name is ActivationName {
  return typeof name === 'string' && (ACTIVATIONS as readonly string[]).includes(name);
}
