// The library as a page's bundle imports it, for the model-storage tests in Chromium.
export { Matrix } from '../../src/matrix.js';
export { Network } from '../../src/nn/network.js';
