// Node-only helpers (file system, HDF5 through h5wasm's Node build). Browsers import 'deepnet'.
export * from './index.js';
export { loadH5, type H5Options } from './data/h5.js';
export { loadCat, catFiles } from './data/cat.js';
