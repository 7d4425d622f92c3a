import { resolve } from 'node:path';

// A job names its data by reference: built-ins by name, files by absolute path, so a worker
// started in another folder (or on another machine with the same mount) reads the same file.

export function absoluteReference(spec: string): string {
  if (spec.startsWith('builtin:')) return spec;
  if (spec.startsWith('idx:')) {
    return `idx:${spec.slice('idx:'.length).split(',').map((p) => (p === '' ? p : resolve(p))).join(',')}`;
  }
  return resolve(spec);
}
