import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webgpuBackend } from '../../src/backend/select.js';
import { WebGpuBackend as WebGpu, type WebGpuBackend } from '../../src/backend/webgpu/webgpu-backend.js';
import { ConfigError, TrainingError } from '../../src/errors.js';
import { deepnet } from '../helpers/cli.js';
import { KERNEL_CHECKS, kernelChecks } from '../helpers/webgpu-kernels.js';

// The webgpu backend in Node, through the optional `webgpu` package (Dawn). Where Dawn finds no
// adapter (no GPU, or a software Vulkan it refuses), the kernel tests skip and say why; the
// errors a user sees then are tested instead. Chromium's software adapter carries the kernels in CI
// (test/web/webgpu.test.ts).
let gpu: WebGpuBackend | undefined;
let reason = '';

beforeAll(async () => {
  try {
    gpu = await webgpuBackend();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    reason = e.message;
    console.log(`webgpu in Node: skipping the kernel tests: ${reason}`);
  }
});
afterAll(() => gpu?.dispose());

describe('the webgpu backend in Node', () => {
  it('every kernel equals the reference backend within 1e-5 relative (float32)', async (ctx) => {
    if (!gpu) return ctx.skip(reason);
    const results = await kernelChecks(gpu);
    expect(results).toHaveLength(KERNEL_CHECKS);
    for (const { name, worst } of results) expect(worst, name).toBeLessThan(1e-5);
  });

  it('without an adapter, opening it is a ConfigError that says so', (ctx) => {
    if (gpu) return ctx.skip('this machine has a WebGPU adapter');
    expect(reason).toMatch(/^the webgpu backend (found no GPU adapter|in Node needs the optional package "webgpu")/);
  });
});

describe('deepnet train --backend webgpu', () => {
  it('--dtype float64 is a usage error naming WebGPU, before any data is read', () => {
    const r = deepnet(['train', '--backend', 'webgpu', '--dtype', 'float64', '--data', 'no-such-file.h5']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').pop()).toBe('deepnet: error: --backend webgpu computes in float32 only: WebGPU has no float64 (drop --dtype float64, or use --backend wasm)');
  });

  it('where no adapter exists, the error is one line that suggests wasm', (ctx) => {
    if (gpu) return ctx.skip('this machine has a WebGPU adapter');
    const r = deepnet(['train', '--backend', 'webgpu', '--iterations', '2']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n').pop()).toMatch(/^deepnet: error: the webgpu backend (found no GPU adapter .*; use the wasm backend|in Node needs the optional package "webgpu")/);
  });
});

describe('the webgpu backend reading back', () => {
  // A stand-in device whose maps reject as `reject` says: no GPU is needed to see what a user is told.
  const withDevice = (reject: () => Error) => {
    const buffer = () => ({ size: 64, mapAsync: () => Promise.reject(reject()), getMappedRange: () => new ArrayBuffer(64), unmap() {}, destroy() {} });
    const device = {
      lost: new Promise(() => {}),
      addEventListener() {},
      createBuffer: buffer,
      createCommandEncoder: () => ({ copyBufferToBuffer() {}, finish: () => ({}) }),
      queue: { submit() {}, writeBuffer() {} },
    };
    const Backend = WebGpu as unknown as new (gpu: { device: unknown; adapterName: string; software: boolean }) => WebGpuBackend;
    return new Backend({ device, adapterName: 'stand-in', software: true });
  };

  it('a lost device (maps rejected with AbortError) is a TrainingError that says so', async () => {
    const b = withDevice(() => new DOMException('Device is lost', 'AbortError'));
    const err = await b.read(b.allocate(2, 3, 'float32')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingError);
    expect((err as Error).message).toBe('the GPU device was lost (Device is lost)');
  });

  it('any other failed map is not called a lost device: it names the failure', async () => {
    const b = withDevice(() => new DOMException('Buffer already has an outstanding map pending.', 'OperationError'));
    const err = await b.read(b.allocate(2, 3, 'float32')).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(TrainingError);
    expect((err as Error).message).toBe('webgpu: reading results back from the GPU failed: OperationError: Buffer already has an outstanding map pending.');
  });
});
