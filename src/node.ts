// Node-only helpers (file system, HDF5 through h5wasm's Node build). Browsers import 'deepnet'.
export * from './index.js';
export { loadH5, type H5Options } from './data/h5.js';
export { loadCat, catFiles } from './data/cat.js';
// csv-parse's Node build uses the global Buffer, so CSV parsing is exported here, not in 'deepnet'.
export { formatCsv, parseCsv, type CsvOptions } from './data/csv.js';
export { loadCsv } from './data/csvFile.js';
export { FASHION_MNIST_CLASSES, fashionMnistFiles, idxFiles, loadIdx, readIdx, type IdxFiles } from './data/files.js';
export { writeFileAtomic } from './io/atomic.js';
export { decodeOnnx, exportOnnx, type OnnxExportOptions } from './io/onnx.js';
export { decodeImage, loadImageColumn, resizeBicubic, type RgbImage } from './io/image.js';
