// deepnet/course: the course's notebooks under their own names, one namespace per week, written on
// deepnet's blocks. A learner reads a notebook and this beside it.
export * as week2 from './week2.js';
export * as week3 from './week3.js';
export * as week4 from './week4.js';
export { numpyStr, pyStr, shapeStr } from './numpyStr.js';
export type { PrintCost } from './print.js';
