import { spawnSync } from 'node:child_process';

/**
 * The first Python that can import all of `modules`: python3 on PATH, then Debian's own (where
 * apt's python3-onnx, python3-pil and python3-numpy install). `override` (an env variable) wins.
 */
export function pythonWith(modules: string[], override?: string): string | undefined {
  const candidates = override ? [override] : ['python3', '/usr/bin/python3'];
  return candidates.find((py) => spawnSync(py, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8' }).status === 0);
}
