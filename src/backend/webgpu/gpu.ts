/// <reference types="@webgpu/types" />
import { ConfigError } from '../../errors.js';

/** A WebGPU device and what its adapter says about itself. */
export interface Gpu {
  readonly device: GPUDevice;
  /** The adapter as a person would name it, e.g. "NVIDIA GeForce RTX 4070" or "google swiftshader". */
  readonly adapterName: string;
  /** A CPU implementation of WebGPU (SwiftShader, lavapipe, llvmpipe, WARP): correct, never fast. */
  readonly software: boolean;
}

const SOFTWARE = /swiftshader|lavapipe|llvmpipe|warp|software|cpu/i;

/**
 * The GPU of this page, worker or process: navigator.gpu in a browser; in Node, the optional
 * `webgpu` package (Dawn), loaded only here. No WebGPU, no package or no adapter is a ConfigError
 * that says which, so `--backend webgpu` fails with one line instead of a stack.
 */
export async function requestGpu(): Promise<Gpu> {
  const gpu = await gpuEntry();
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new ConfigError('the webgpu backend found no GPU adapter (no GPU, or none that WebGPU can drive here); use the wasm backend');
  }
  const info = adapter.info;
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s) => s && s.length > 0);
  const adapterName = info.description || [...new Set(parts)].join(' ') || 'unnamed adapter';
  const fallback = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true || (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  const software = fallback || SOFTWARE.test(parts.join(' '));
  // The largest buffers the adapter allows: X of a data set is one buffer (cat: 10 MB, MNIST: 188 MB).
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
  return { device, adapterName, software };
}

async function gpuEntry(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;
  if (!isNode) throw new ConfigError('the webgpu backend needs WebGPU, which this browser does not offer (navigator.gpu is missing); use the wasm backend');
  // A variable specifier: bundlers leave the Node-only package out of the browser build.
  const specifier = 'webgpu';
  let dawn: { create(flags: string[]): GPU };
  try {
    dawn = (await import(/* @vite-ignore */ specifier)) as typeof dawn;
  } catch (e) {
    throw new ConfigError(`the webgpu backend in Node needs the optional package "webgpu" (Dawn), which did not load: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
  return dawn.create([]);
}
