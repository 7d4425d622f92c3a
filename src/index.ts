// deepnet: the course's deep L-layer network. This entry runs anywhere (Node and browsers);
// file-system helpers live in 'deepnet/node'.
export * from './errors.js';
export { Matrix, type DType, type Shape, type Storage } from './matrix.js';
export { NumpyRandom } from './random.js';
export type { ActivationKernel, Backend } from './backend/backend.js';
export { ReferenceBackend } from './backend/reference.js';
export { backendNames, getBackend, registerBackend, resolveBackend, setBackend, withBackend } from './backend/select.js';
export * from './nn/activations.js';
export { binaryCrossEntropy, computeCost, costFunction, COSTS, meanSquaredError, type Cost, type CostName } from './nn/costs.js';
export { initializeParameters, initializeParametersDeep, INITS, type InitName, type InitOptions } from './nn/init.js';
export {
  activationBackward,
  linearActivationBackward,
  linearActivationForward,
  linearBackward,
  linearForward,
  type ActivationCache,
  type LayerCache,
  type LinearCache,
} from './nn/layer.js';
export {
  accuracy,
  layerActivations,
  lModelBackward,
  lModelForward,
  predict,
  updateParameters,
  type ActivationOptions,
  type ModelOptions,
} from './nn/model.js';
export { cloneParameters, layerDimsOf, numLayers, validateLayerDims, type Gradients, type Parameters } from './nn/parameters.js';
export { gradientCheck, type GradientCheckOptions, type GradientCheckResult } from './nn/gradcheck.js';
export { dimensionTable, formatDimensionTable, type LayerShapes } from './nn/shapes.js';
export {
  gradientDescent,
  lLayerModel,
  twoLayerModel,
  type CourseModelOptions,
  type CourseModelResult,
  type GradientDescentOptions,
} from './nn/train.js';
export { Network, resolveNetworkConfig, type FitOptions, type NetworkConfig } from './nn/network.js';
export type { Dataset } from './data/dataset.js';
