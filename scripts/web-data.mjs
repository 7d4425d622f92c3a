// Writes the course's cat images for the playground as raw bytes (uint8 pixels (m, 64, 64, 3) and
// uint8 labels), read from the shipped HDF5 files, into web/public/data/.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import h5wasm from 'h5wasm/node';

const root = fileURLToPath(new URL('../', import.meta.url));
const out = `${root}web/public/data/`;
mkdirSync(out, { recursive: true });
await h5wasm.ready;
// Written beside public/ and renamed into place: a build copying public/ at the same time copies
// the old or the new file, never half of one.
function write(name, bytes) {
  const tmp = `${root}web/.${name}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, `${out}${name}`);
}
for (const role of ['train', 'test']) {
  const f = new h5wasm.File(`${root}data/${role}_catvnoncat.h5`, 'r');
  const x = f.get(`${role}_set_x`).value;
  const y = Uint8Array.from(f.get(`${role}_set_y`).value, Number);
  f.close();
  write(`cat_${role}_x.u8`, x);
  write(`cat_${role}_y.u8`, y);
}
console.log(`cat images written to ${out}`);
