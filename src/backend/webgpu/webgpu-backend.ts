/// <reference types="@webgpu/types" />
import { ConfigError, TrainingError } from '../../errors.js';
import { Matrix, type DType, type Storage } from '../../matrix.js';
import type { ActivationKernel, Backend } from '../backend.js';
import { requestGpu, type Gpu } from './gpu.js';
import * as shaders from './shaders.js';

// WebGPU's flag values (the spec's numbers): Node's Dawn does not define the GPUBufferUsage globals.
const MAP_READ = 0x0001;
const COPY_SRC = 0x0004;
const COPY_DST = 0x0008;
const UNIFORM = 0x0040;
const STORAGE = 0x0080;
const READ = 0x0001;
/** Workgroups along one grid dimension at most (WebGPU's default limit). */
const MAX_GROUPS = 65535;

/** One compute dispatch, built once: a training run replays the same ones every iteration. */
export interface Dispatch {
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly x: number;
  readonly y: number;
}

type ShaderName = 'GEMM' | 'GEMM_DIRECT' | 'ADD_BIAS' | 'ACTIVATION_FORWARD' | 'BIAS_ACTIVATION' | 'ACTIVATION_BACKWARD' | 'AXPY' | 'ROW_SUMS' | 'SOFTMAX' | 'COST';

/**
 * The GPU backend: WGSL compute shaders over float32 buffers in the GPU's memory.
 *
 * WebGPU gives results back only asynchronously, so the kernels here enqueue work and return at
 * once. A matrix from `allocate()` lives on the GPU (its `data` is a copy, filled by `read`, sent
 * up by `write`); any other matrix is sent up for the call, and an output one receives its values
 * at the next `await flush()`. Training (nn/gpuTraining.ts) keeps every matrix on the GPU and
 * reads back only the costs and the parameters, every few iterations.
 */
export class WebGpuBackend implements Backend {
  readonly name = 'webgpu';
  readonly device: GPUDevice;
  readonly adapterName: string;
  readonly software: boolean;
  /** Why the device was lost, once it was (a driver reset, a closed page); kernels then fail. */
  lostReason: string | undefined;
  private readonly buffers = new WeakMap<Storage, GPUBuffer>();
  private readonly pipelines = new Map<ShaderName, GPUComputePipeline>();
  private pending: Dispatch[] = [];
  private capturing: Dispatch[] | undefined;
  /** Buffers of non-resident operands of enqueued calls, and the outputs to copy back at flush. */
  private temporaries: GPUBuffer[] = [];
  private copyOut: { M: Matrix; buffer: GPUBuffer }[] = [];
  private staging: GPUBuffer | undefined;
  private stagingBusy = false;
  private error: string | undefined;

  private constructor(gpu: Gpu) {
    this.device = gpu.device;
    this.adapterName = gpu.adapterName;
    this.software = gpu.software;
    void this.device.lost.then((info) => {
      this.lostReason = info.message || info.reason || 'unknown reason';
    });
    this.device.addEventListener('uncapturederror', (e) => {
      this.error ??= (e as GPUUncapturedErrorEvent).error.message;
    });
  }

  /** Opens the GPU (ConfigError where there is none: no WebGPU, no `webgpu` package, no adapter). */
  static async create(): Promise<WebGpuBackend> {
    return new WebGpuBackend(await requestGpu());
  }

  // ------------------------------------------------------------------ memory

  allocate(rows: number, cols: number, dtype: DType): Matrix {
    checkDType(dtype);
    const M = Matrix.zeros(rows, cols, 'float32');
    // WebGPU zeroes new buffers; a binding may not be empty, so an empty matrix gets 4 bytes.
    const buffer = this.device.createBuffer({ size: Math.max(4, M.data.byteLength), usage: STORAGE | COPY_SRC | COPY_DST });
    this.buffers.set(M.data, buffer);
    return M;
  }

  release(M: Matrix): void {
    const buffer = this.buffers.get(M.data);
    if (!buffer) return;
    this.buffers.delete(M.data);
    buffer.destroy();
  }

  isResident(M: Matrix): boolean {
    return this.buffers.has(M.data);
  }

  /** The GPU buffer of a resident matrix. */
  bufferOf(M: Matrix): GPUBuffer {
    const buffer = this.buffers.get(M.data);
    if (!buffer) throw new Error(`webgpu: ${M} is not in GPU memory (allocate it with the backend)`);
    return buffer;
  }

  /** Sends a resident matrix's `data` to its GPU buffer (after the calls enqueued before it). */
  write(M: Matrix): void {
    this.submitPending();
    this.device.queue.writeBuffer(this.bufferOf(M), 0, M.data);
  }

  /** Runs what is enqueued and copies the GPU buffers of the given resident matrices into their `data`. */
  async read(...Ms: Matrix[]): Promise<void> {
    this.submitPending();
    const bytes = Ms.reduce((n, M) => n + M.data.byteLength, 0);
    if (bytes === 0) return this.settle();
    // One staging buffer serves the reads one after another; a read while it is mapping (another
    // training on this GPU, awaiting its own read) gets a buffer of its own.
    const shared = !this.stagingBusy;
    let staging: GPUBuffer;
    if (shared) {
      if (!this.staging || this.staging.size < bytes) {
        this.staging?.destroy();
        this.staging = this.device.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST });
      }
      staging = this.staging;
      this.stagingBusy = true;
    } else {
      staging = this.device.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST });
    }
    try {
      // The copies are submitted now, after the work enqueued before this call.
      const encoder = this.device.createCommandEncoder();
      let offset = 0;
      for (const M of Ms) {
        if (M.data.byteLength > 0) encoder.copyBufferToBuffer(this.bufferOf(M), 0, staging, offset, M.data.byteLength);
        offset += M.data.byteLength;
      }
      this.device.queue.submit([encoder.finish()]);
      await this.map(staging, bytes);
      const view = new Float32Array(staging.getMappedRange(0, bytes));
      offset = 0;
      for (const M of Ms) {
        M.data.set(view.subarray(offset, offset + M.data.length));
        offset += M.data.length;
      }
      staging.unmap();
    } finally {
      if (shared) this.stagingBusy = false;
      else staging.destroy();
    }
    this.settle();
  }

  /** Runs what is enqueued and gives every non-resident output of those calls its values. */
  async flush(): Promise<void> {
    this.submitPending();
    const outs = this.copyOut;
    const temporaries = this.temporaries;
    this.copyOut = [];
    this.temporaries = [];
    try {
      const encoder = this.device.createCommandEncoder();
      const reads = outs.map(({ M, buffer }) => {
        const read = this.device.createBuffer({ size: buffer.size, usage: MAP_READ | COPY_DST });
        encoder.copyBufferToBuffer(buffer, 0, read, 0, buffer.size);
        return { M, read };
      });
      this.device.queue.submit([encoder.finish()]);
      await Promise.all(reads.map(({ read }) => this.map(read, read.size)));
      for (const { M, read } of reads) {
        M.data.set(new Float32Array(read.getMappedRange()).subarray(0, M.data.length));
        read.destroy();
      }
    } finally {
      for (const b of temporaries) b.destroy();
    }
    this.settle();
  }

  /**
   * Waits for mapAsync; a lost device (which rejects every map with an AbortError) is a
   * TrainingError that says so. Any other rejection (an OperationError: a map of a buffer already
   * mapping) is a bug here, never the GPU's, and says what failed.
   */
  private async map(buffer: GPUBuffer, bytes: number): Promise<void> {
    try {
      await buffer.mapAsync(READ, 0, bytes);
    } catch (e) {
      const error = e as Error;
      if (this.lostReason !== undefined || error.name === 'AbortError') {
        throw new TrainingError(`the GPU device was lost (${this.lostReason ?? error.message})`, { cause: e });
      }
      throw new Error(`webgpu: reading results back from the GPU failed: ${error.name}: ${error.message}`, { cause: e });
    }
  }

  /** A validation error of an earlier call (a bug here, never a user's mistake) surfaces at the next wait. */
  private settle(): void {
    if (this.lostReason !== undefined) throw new TrainingError(`the GPU device was lost (${this.lostReason})`);
    const error = this.error;
    this.error = undefined;
    if (error !== undefined) throw new Error(`webgpu: ${error}`);
  }

  // ------------------------------------------------------------------ programs

  /**
   * Runs fn and returns the dispatches its kernel calls make, without running them: a training
   * run captures one iteration and replays it. Every operand must be resident.
   */
  capture(fn: () => void): Dispatch[] {
    const outer = this.capturing;
    const list: Dispatch[] = [];
    this.capturing = list;
    try {
      fn();
    } finally {
      this.capturing = outer;
    }
    return list;
  }

  /** Submits `program` `times` times in one command buffer, after what is enqueued. */
  replay(program: readonly Dispatch[], times: number): void {
    this.submitPending();
    this.submit(program, times);
  }

  private submitPending(): void {
    if (this.pending.length === 0) return;
    const list = this.pending;
    this.pending = [];
    this.submit(list, 1);
  }

  private submit(program: readonly Dispatch[], times: number): void {
    if (this.lostReason !== undefined) throw new TrainingError(`the GPU device was lost (${this.lostReason})`);
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (let r = 0; r < times; r++) {
      for (const d of program) {
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, d.bindGroup);
        pass.dispatchWorkgroups(d.x, d.y);
      }
    }
    pass.end();
    this.device.queue.submit([encoder.finish()]);
  }

  private enqueue(name: ShaderName, groups: [number, number], params: ArrayBuffer, operands: GPUBuffer[]): void {
    if (groups[0] === 0 || groups[1] === 0) return;
    const pipeline = this.pipeline(name);
    const uniform = this.device.createBuffer({ size: params.byteLength, usage: UNIFORM, mappedAtCreation: true });
    new Uint8Array(uniform.getMappedRange()).set(new Uint8Array(params));
    uniform.unmap();
    const bindGroup = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [uniform, ...operands].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const d: Dispatch = { pipeline, bindGroup, x: groups[0], y: groups[1] };
    (this.capturing ?? this.pending).push(d);
  }

  private pipeline(name: ShaderName): GPUComputePipeline {
    let p = this.pipelines.get(name);
    if (!p) {
      const module = this.device.createShaderModule({ code: shaders[name], label: name });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: name });
      this.pipelines.set(name, p);
    }
    return p;
  }

  /** The buffer a kernel uses for M: its own if resident, else a copy made for this call. */
  private operand(M: Matrix, use: 'in' | 'out' | 'inout'): GPUBuffer {
    checkDType(M.dtype);
    const own = this.buffers.get(M.data);
    if (own) return own;
    if (this.capturing) throw new Error(`webgpu: a captured program may only use resident matrices, not ${M}`);
    const buffer = this.device.createBuffer({ size: Math.max(4, M.data.byteLength), usage: STORAGE | COPY_SRC | COPY_DST, mappedAtCreation: use !== 'out' });
    if (use !== 'out') {
      new Float32Array(buffer.getMappedRange()).set(M.data);
      buffer.unmap();
    }
    this.temporaries.push(buffer);
    if (use !== 'in') this.copyOut.push({ M, buffer });
    return buffer;
  }

  // ------------------------------------------------------------------ kernels

  gemm(transA: boolean, transB: boolean, alpha: number, A: Matrix, B: Matrix, beta: number, C: Matrix): void {
    const M = C.rows;
    const N = C.cols;
    const K = transA ? A.rows : A.cols;
    const params = new ArrayBuffer(48);
    new Uint32Array(params, 0, 8).set([M, N, K, transA ? 1 : 0, transB ? 1 : 0, A.cols, B.cols, 0]);
    new Float32Array(params, 32, 4).set([alpha, beta, 0, 0]);
    const a = this.operand(A, 'in');
    const b = this.operand(B, 'in');
    const c = this.operand(C, beta === 0 ? 'out' : 'inout');
    if (M * N * K >= shaders.TILED_MIN_MACS) this.enqueue('GEMM', [Math.ceil(N / shaders.TILE), Math.ceil(M / shaders.TILE)], params, [a, b, c]);
    else this.enqueue('GEMM_DIRECT', grid(M * Math.ceil(N / 4)), params, [a, b, c]);
  }

  addBias(Z: Matrix, b: Matrix): void {
    this.enqueue('ADD_BIAS', grid(Z.size), elementParams(Z.size, Z.cols, 0, 0, 0), [this.operand(Z, 'inout'), this.operand(b, 'in')]);
  }

  activationForward(act: ActivationKernel, Z: Matrix, A: Matrix): void {
    const kind = activationCode(act);
    this.enqueue('ACTIVATION_FORWARD', grid(Z.size), elementParams(Z.size, Z.cols, kind, act.slope, 0), [this.operand(Z, 'in'), this.operand(A, 'out')]);
  }

  biasActivationForward(act: ActivationKernel, Z: Matrix, b: Matrix, A: Matrix): void {
    const kind = activationCode(act);
    const operands = [this.operand(Z, 'inout'), this.operand(b, 'in'), this.operand(A, 'out')];
    this.enqueue('BIAS_ACTIVATION', grid(Z.size), elementParams(Z.size, Z.cols, kind, act.slope, 0), operands);
  }

  activationBackward(act: ActivationKernel, dA: Matrix, Z: Matrix, A: Matrix, dZ: Matrix): void {
    const kind = activationCode(act);
    const operands = [this.operand(dA, 'in'), this.operand(Z, 'in'), this.operand(A, 'in'), this.operand(dZ, 'out')];
    this.enqueue('ACTIVATION_BACKWARD', grid(dZ.size), elementParams(dZ.size, dZ.cols, kind, act.slope, 0), operands);
  }

  rowSums(M: Matrix, scale: number, out: Matrix): void {
    this.enqueue('ROW_SUMS', grid(M.rows), elementParams(M.rows, M.cols, 0, 0, scale), [this.operand(M, 'in'), this.operand(out, 'out')]);
  }

  axpy(alpha: number, X: Matrix, Y: Matrix): void {
    this.enqueue('AXPY', grid(Y.size), elementParams(Y.size, Y.cols, 0, 0, alpha), [this.operand(X, 'in'), this.operand(Y, 'inout')]);
  }

  // Kernels beyond the Backend interface, for training on the GPU without leaving it.

  /** A = softmax of each column of Z (the output layer of a classifier). */
  softmax(Z: Matrix, A: Matrix): void {
    this.enqueue('SOFTMAX', grid(Z.cols), elementParams(Z.rows, Z.cols, 0, 0, 0), [this.operand(Z, 'in'), this.operand(A, 'out')]);
  }

  /**
   * costs[counter] = the cost of AL against Y, counter += 1, and grad = dAL (bce, mse) or, for ce
   * after a softmax, dZ[L] = AL - Y. `counter` is a (1, 1) matrix whose bits the kernel counts in.
   */
  costGradient(cost: 'bce' | 'mse' | 'ce', AL: Matrix, Y: Matrix, grad: Matrix, costs: Matrix, counter: Matrix): void {
    const operands = [AL, Y, grad, costs, counter].map((M) => this.operand(M, 'inout'));
    this.enqueue('COST', [1, 1], elementParams(AL.size, AL.cols, shaders.COST_CODE[cost]!, 0, 0), operands);
  }

  /** Gives the GPU's buffers back; the backend is unusable after. */
  dispose(): void {
    this.staging?.destroy();
    this.device.destroy();
  }
}

function checkDType(dtype: DType): void {
  if (dtype !== 'float32') {
    throw new ConfigError(`the webgpu backend computes in float32 only: WebGPU has no float64 (use dtype 'float32', or the wasm backend for ${dtype})`);
  }
}

function activationCode(act: ActivationKernel): number {
  const kind = shaders.ACTIVATION_CODE[act.name];
  if (kind === undefined) {
    throw new ConfigError(`the webgpu backend has no elementwise kernel for activation ${JSON.stringify(act.name)}; it runs ${Object.keys(shaders.ACTIVATION_CODE).join(', ')} (and softmax as an output layer in training)`);
  }
  return kind;
}

function elementParams(n: number, cols: number, kind: number, slope: number, alpha: number): ArrayBuffer {
  const params = new ArrayBuffer(32);
  new Uint32Array(params, 0, 4).set([n, cols, kind, 0]);
  new Float32Array(params, 16, 4).set([slope, alpha, 0, 0]);
  return params;
}

/** Workgroups for n elements, on a 2-D grid when more than one row of groups is needed. */
function grid(n: number): [number, number] {
  return n === 0 ? [0, 0] : gridOfGroups(Math.ceil(n / shaders.WORKGROUP));
}

function gridOfGroups(groups: number): [number, number] {
  const x = Math.min(groups, MAX_GROUPS);
  return [x, Math.ceil(groups / x)];
}
