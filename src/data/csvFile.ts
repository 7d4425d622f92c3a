import { readUserFile } from '../io/paths.js';
import { type CsvOptions, parseCsv } from './csv.js';
import type { Dataset } from './dataset.js';

// Node-only: a CSV file read and parsed (csv.ts). Its own module so that a command reading no CSV
// does not load the CSV parser: the CLI imports it when a data spec is a .csv file (10 ms a start).

/** A CSV file as a Dataset (see parseCsv). */
export function loadCsv(path: string, options: CsvOptions = {}): Dataset {
  return parseCsv(readUserFile(path).toString('utf8'), path, options);
}
