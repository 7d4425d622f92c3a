// The course's cat files as raw bytes: uint8 pixels in the course's X layout (12288 features by m
// samples: x[f * m + s], the transpose of the files' (m, 64, 64, 3)) and uint8 labels, read once from
// the shipped HDF5 files. Feature by feature, X = x / 255 is one pass in order (sample by sample,
// the transpose was a third of `deepnet train`'s data time). `npm run build` writes them beside the compiled code (dist/cat-bytes/,
// with a manifest naming each HDF5 file's SHA-256), so `builtin:cat` loads without HDF5's few MB of
// wasm; the playground's build writes the same bytes for the page (scripts/web-data.mjs).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import h5wasm from 'h5wasm/node';

const root = fileURLToPath(new URL('../', import.meta.url));

/** Writes cat_{train,test}_{x,y}.u8 into `out` (each renamed into place whole) and returns the manifest. */
export async function writeCatBytes(out) {
  mkdirSync(out, { recursive: true });
  await h5wasm.ready;
  const write = (name, bytes) => {
    const tmp = `${out}.${name}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, `${out}${name}`);
  };
  const manifest = { format: 'deepnet cat bytes 2', classes: null };
  for (const role of ['train', 'test']) {
    const path = `${root}data/${role}_catvnoncat.h5`;
    const f = new h5wasm.File(path, 'r');
    const xSet = f.get(`${role}_set_x`);
    const x = xSet.value;
    const y = Uint8Array.from(f.get(`${role}_set_y`).value, Number);
    const classes = f.get('list_classes').value.map(String);
    const shape = xSet.shape.map(Number);
    f.close();
    if (!(x instanceof Uint8Array) || shape.length !== 4) throw new Error(`${path}: expected uint8 images (m, 64, 64, 3)`);
    const m = shape[0];
    const n = shape[1] * shape[2] * shape[3];
    const features = new Uint8Array(x.length);
    for (let s = 0; s < m; s++) for (let f = 0; f < n; f++) features[f * m + s] = x[s * n + f];
    write(`cat_${role}_x.u8`, features);
    write(`cat_${role}_y.u8`, y);
    manifest.classes = classes;
    manifest[role] = { m, n, x: `cat_${role}_x.u8`, y: `cat_${role}_y.u8`, h5Sha256: createHash('sha256').update(readFileSync(path)).digest('hex') };
  }
  write('cat.json', JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = `${root}dist/cat-bytes/`;
  await writeCatBytes(out);
}
