// Writes the course's cat images for the playground as raw bytes (uint8 pixels feature by feature,
// (12288, m) as the course's X, and uint8 labels), read from the shipped HDF5 files, into web/public/data/.
import { fileURLToPath } from 'node:url';
import { writeCatBytes } from './cat-bytes.mjs';

const out = fileURLToPath(new URL('../web/public/data/', import.meta.url));
await writeCatBytes(out);
console.log(`cat images written to ${out}`);
