// The deepnet version written into model files (kept equal to package.json's by a test), and the
// model-file format version this build reads and writes.
export const DEEPNET_VERSION = '0.1.0';
export const MODEL_FORMAT_VERSION = 1;
