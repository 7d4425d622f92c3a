import { ConfigError } from '../errors.js';
import type { Backend } from './backend.js';
import { ReferenceBackend } from './reference.js';
import { WasmBackend } from './wasm/wasm-backend.js';
import { WebGpuBackend } from './webgpu/webgpu-backend.js';

// Backends register under a name (TF.js's kernel registry, reduced to what we need); `nn/` asks
// for the current one. A fast backend is one more file that calls registerBackend.
const registry = new Map<string, () => Backend>([
  ['reference', () => new ReferenceBackend()],
  ['wasm', () => new WasmBackend()],
  ['webgpu', () => {
    if (!gpu) throw new ConfigError("the webgpu backend opens its GPU asynchronously: await webgpuBackend() first (fitAsync and the CLI's --backend webgpu do)");
    return gpu;
  }],
]);
const instances = new Map<string, Backend>();
let current: Backend | undefined;
let gpu: WebGpuBackend | undefined;
let opening: Promise<WebGpuBackend> | undefined;

/**
 * The webgpu backend, opened on first use (a ConfigError where there is no WebGPU, no `webgpu`
 * package in Node, or no adapter); after it resolves, resolveBackend('webgpu') returns it too.
 */
export function webgpuBackend(): Promise<WebGpuBackend> {
  opening ??= WebGpuBackend.create().then(
    (b) => {
      gpu = b;
      instances.delete('webgpu');
      return b;
    },
    (e: unknown) => {
      opening = undefined;
      throw e;
    },
  );
  return opening;
}

export function registerBackend(name: string, make: () => Backend): void {
  registry.set(name, make);
  instances.delete(name);
}

/** The backends that run at once: webgpu joins them once webgpuBackend() has opened its GPU. */
export function backendNames(): string[] {
  return [...registry.keys()].filter((name) => name !== 'webgpu' || gpu !== undefined);
}

/** The backend by name; 'auto' is the fastest one registered. */
export function resolveBackend(name: string): Backend {
  if (name === 'auto') name = registry.has('wasm') ? 'wasm' : 'reference';
  const make = registry.get(name);
  if (!make) {
    throw new ConfigError(`unknown backend ${JSON.stringify(name)}; available: auto, ${[...registry.keys()].join(', ')}`);
  }
  let b = instances.get(name);
  if (!b) {
    b = make();
    instances.set(name, b);
  }
  return b;
}

/** The backend that the building blocks use: the fastest registered one unless set. */
export function getBackend(): Backend {
  return (current ??= resolveBackend('auto'));
}

export function setBackend(backend: Backend | string): Backend {
  current = typeof backend === 'string' ? resolveBackend(backend) : backend;
  return current;
}

/**
 * Starts a backend's worker threads now and resolves when they run. Workers take tens of
 * milliseconds to start, and a training run's first product is its largest (the Gram form's
 * Xᵀ·X): a command starts them before it reads its data, so that product has every thread.
 */
export function warmBackend(name: string = 'auto', threads = 0): Promise<void> {
  const backend = resolveBackend(name);
  if (threads > 0) backend.setThreads?.(threads);
  return backend.ready?.() ?? Promise.resolve();
}

/** Runs fn with `backend` as the current backend, restoring the previous one after. */
export function withBackend<T>(backend: Backend | string | undefined, fn: () => T): T {
  if (backend === undefined) return fn();
  const previous = current;
  setBackend(backend);
  try {
    return fn();
  } finally {
    current = previous;
  }
}
