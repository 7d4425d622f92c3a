// deepnet: the course's deep L-layer network. This entry runs anywhere (Node and browsers);
// file-system helpers live in 'deepnet/node'.
export * from './errors.js';
export { Matrix, type DType, type Shape, type Storage } from './matrix.js';
export { NumpyRandom } from './random.js';
export type { ActivationKernel, Backend } from './backend/backend.js';
export { ReferenceBackend } from './backend/reference.js';
export { backendNames, getBackend, registerBackend, resolveBackend, setBackend, withBackend } from './backend/select.js';
export * from './nn/activations.js';
export { binaryCrossEntropy, categoricalCrossEntropy, computeCost, costFunction, COSTS, meanSquaredError, type Cost, type CostName } from './nn/costs.js';
export { argmaxColumns, confusionMatrix, softmax, softmaxBackward } from './nn/softmax.js';
export { outputForClasses, preset, PRESETS, type Preset, type PresetName } from './nn/presets.js';
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
  type CourseTrainingOptions,
  type CourseModelResult,
  type GradientDescentOptions,
} from './nn/train.js';
export { Network, resolveNetworkConfig, type FitOptions, type NetworkConfig } from './nn/network.js';
export type { Dataset } from './data/dataset.js';
export { generatePlanar, linspace, planarDataset, type PlanarOptions } from './data/planar.js';
export { circlesDataset, gaussianDataset, moonsDataset, spiralDataset, xorDataset, type SyntheticOptions } from './data/synthetic.js';
export { idxDataset, parseIdx, type IdxArray } from './data/idx.js';
export { shuffle, takeColumns, trainTestSplit, type SplitOptions } from './data/split.js';
export { applyNormalization, fitMinMax, fitStandardization } from './data/normalize.js';
export { classCount, oneHot } from './data/onehot.js';
export { gatherColumns, randomMiniBatches } from './nn/minibatch.js';
export {
  createOptimizer,
  initializeAdam,
  initializeVelocity,
  OPTIMIZERS,
  updateParametersWithAdam,
  updateParametersWithMomentum,
  updateParametersWithRmsprop,
  type MovingAverages,
  type Optimizer,
  type OptimizerName,
  type OptimizerSettings,
} from './nn/optimizers.js';
export {
  addL2Gradients,
  computeCostWithRegularization,
  dropoutBackward,
  keepProbPerLayer,
  lModelForwardWithDropout,
  type DropoutMasks,
} from './nn/regularization.js';
export {
  earlyStopping,
  type BatchLogs,
  type Callback,
  type EarlyStoppingOptions,
  type EpochLogs,
  type History,
  type Monitor,
  type TrainingContext,
} from './nn/callbacks.js';
export { isPlainGradientDescent, resolveTrainingOptions, TRAINING_DEFAULTS, type ResolvedTrainingOptions, type TrainingOptions } from './nn/trainingOptions.js';
export { trainLoop, trainLoopAsync } from './nn/trainLoop.js';
export { isGradEnabled, noGrad, Tensor, type TensorLike, type TensorOptions, type VJP } from './autograd/tensor.js';
export { bceLoss, bceWithLogitsLoss, crossEntropyLoss, mseLoss } from './autograd/losses.js';
export { MAX_HEADER_SIZE, parseSafetensors, readFloatTensor, serializeSafetensors, type SafetensorsFile, type TensorInfo, type TensorToWrite } from './io/safetensors.js';
export { checkConfig, decodeModel, encodeModel, normalizeInput, type DecodedModel, type ModelConfig, type Normalization } from './io/modelfile.js';
export { DEEPNET_VERSION, MODEL_FORMAT_VERSION } from './io/version.js';
