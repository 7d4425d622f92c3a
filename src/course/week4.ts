// Week 4, "Building your Deep Neural Network: Step by Step" and "Deep Neural Network for Image
// Classification: Application": deepnet's own blocks are these notebooks' functions, so this file
// re-exports them, and adds the one function the two notebooks write differently.
import type { DType } from '../matrix.js';
import { initializeParametersDeep as initializeDeep } from '../nn/init.js';
import type { Parameters } from '../nn/parameters.js';

export { initializeParameters } from '../nn/init.js';
export { linearActivationBackward, linearActivationForward, linearBackward, linearForward } from '../nn/layer.js';
export type { CourseLayerCache, LayerCache, LinearCache, ActivationCache } from '../nn/layer.js';
export { lModelBackward, lModelForward, predict, updateParameters } from '../nn/model.js';
export { computeCost } from '../nn/costs.js';
export { lLayerModel, twoLayerModel } from '../nn/train.js';

// The two notebooks' initialize_parameters_deep, side by side:
//
//   notebook       seed   W[l]                              what it is for
//   Step by Step   3      randn(n[l], n[l-1]) * 0.01        the graded exercise's expected output
//   Application    1      randn(n[l], n[l-1]) / sqrt(n[l-1])  training the deep cat network
//
// Both draw layer by layer in order and set b[l] = zeros((n[l], 1)). With × 0.01 the signal of a
// deep network shrinks by about 100× per layer and [12288, 20, 7, 5, 1] does not learn; dividing by
// sqrt(n[l-1]) keeps each layer's Z of the same size as its input. lLayerModel uses the second.

/** The Step by Step notebook's initialize_parameters_deep(layer_dims): np.random.seed(3); W[l] = randn · 0.01. */
export function initializeParametersDeep(layerDims: readonly number[], options: { dtype?: DType } = {}): Parameters {
  return initializeDeep(layerDims, { seed: 3, init: 'small', dtype: options.dtype });
}

/** The Application notebook's initialize_parameters_deep(layer_dims): np.random.seed(1); W[l] = randn / sqrt(n[l-1]). */
export function initializeParametersDeepApplication(layerDims: readonly number[], options: { dtype?: DType } = {}): Parameters {
  return initializeDeep(layerDims, { seed: 1, init: 'xavier', dtype: options.dtype });
}
