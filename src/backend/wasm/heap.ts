import { KERNELS_WASM_SHARED, KERNELS_WASM_SINGLE, MAX_PAGES } from './binary.js';

/** The kernels' exports (see kernels.as); pointers are byte offsets into the shared memory. */
export interface Kernels {
  /** Packs op(A)'s panels it0 <= it < it1 (4 rows each). */
  packA32(transA: number, M: number, K: number, a: number, lda: number, ap: number, it0: number, it1: number): void;
  packA64(transA: number, M: number, K: number, a: number, lda: number, ap: number, it0: number, it1: number): void;
  gemmBlock32: GemmBlock;
  gemmBlock64: GemmBlock;
  packWhole32(transB: number, b: number, ldb: number, K: number, N: number, kc: number, dst: number): void;
  packWhole64(transB: number, b: number, ldb: number, K: number, N: number, kc: number, dst: number): void;
  gemmPanelRows(): number;
  gemmWorkBytes(rows: number, cols: number, elementBytes: number, kc: number): number;
  addBias32(z: number, b: number, rows: number, cols: number): void;
  addBias64(z: number, b: number, rows: number, cols: number): void;
  activationForward32(kind: number, slope: number, z: number, a: number, n: number): void;
  activationForward64(kind: number, slope: number, z: number, a: number, n: number): void;
  biasActivation32(kind: number, slope: number, z: number, b: number, a: number, rows: number, cols: number): void;
  biasActivation64(kind: number, slope: number, z: number, b: number, a: number, rows: number, cols: number): void;
  activationBackward32(kind: number, slope: number, da: number, z: number, a: number, dz: number, n: number): void;
  activationBackward64(kind: number, slope: number, da: number, z: number, a: number, dz: number, n: number): void;
  rowSums32(m: number, rows: number, cols: number, scale: number, out: number): void;
  rowSums64(m: number, rows: number, cols: number, scale: number, out: number): void;
  axpy32(alpha: number, x: number, y: number, n: number): void;
  axpy64(alpha: number, x: number, y: number, n: number): void;
  heapBase(): number;
}

export type GemmBlock = (
  transB: number, K: number, alpha: number, ap: number, b: number, ldb: number,
  beta: number, c: number, ldc: number, i0: number, i1: number, j0: number, j1: number, work: number, kc: number,
) => void;

// gemmBlock's B modes (kernels.as): packed as is, packed transposed, read in place, packed with C's
// lower triangle skipped, packed once for many products.
export const B_PACKED = 0, B_TRANSPOSED = 1, B_IN_PLACE = 2, B_SYMMETRIC = 3, B_PREPACKED = 4;

const PAGE = 65536;
// Cache-line alignment: no two blocks share a line, so threads writing different blocks never contend.
const ALIGN = 64;

/**
 * Shared memory needs SharedArrayBuffer: always in Node, in browsers only when the page is
 * cross-origin isolated. Without it the kernels run on a plain memory, on the calling thread alone.
 */
export const SHARED_MEMORY =
  typeof SharedArrayBuffer !== 'undefined' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;

const compiled = new Map<boolean, WebAssembly.Module>();

/** The compiled kernels for a shared or a plain memory (compiled once; instances and workers share it). */
export function kernelsModule(shared = SHARED_MEMORY): WebAssembly.Module {
  let module = compiled.get(shared);
  if (!module) {
    const bin = atob(shared ? KERNELS_WASM_SHARED : KERNELS_WASM_SINGLE);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    module = new WebAssembly.Module(bytes);
    compiled.set(shared, module);
  }
  return module;
}

/** What an instance of the kernels imports: the memory and the two JS Math functions (as the reference uses). */
export function kernelImports(memory: WebAssembly.Memory): WebAssembly.Imports {
  return { env: { memory, 'Math.exp': Math.exp, 'Math.tanh': Math.tanh } };
}

/**
 * One WebAssembly.Memory, an instance of the kernels on it, and a first-fit allocator of its bytes
 * (the kernels never allocate). A shared memory never detaches its buffer when it grows, so
 * typed-array views handed out earlier stay valid; a plain one does (see `shared`).
 */
export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  readonly kernels: Kernels;
  // `shared` (constructor): whether views into the memory survive its growth and workers can share it.
  private top: number;
  /** No byte at or above this address has been in a block yet: memory.grow gives zeros. */
  private clean: number;
  /** Free blocks, sorted by address, never adjacent (merged on free). */
  private free: { ptr: number; size: number }[] = [];
  private sizes = new Map<number, number>();

  /** `shared: false` forces a plain memory (as a page that is not cross-origin isolated has). */
  constructor(readonly shared: boolean = SHARED_MEMORY) {
    this.memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared });
    const instance = new WebAssembly.Instance(kernelsModule(shared), kernelImports(this.memory));
    this.kernels = instance.exports as unknown as Kernels;
    this.top = roundUp(this.kernels.heapBase(), ALIGN);
    this.clean = this.top;
  }

  get buffer(): ArrayBufferLike {
    return this.memory.buffer;
  }

  /** Bytes of the memory in use by blocks (the high-water mark is `memory.buffer.byteLength`). */
  get allocatedBytes(): number {
    let n = 0;
    for (const size of this.sizes.values()) n += size;
    return n;
  }

  /** A block of at least `bytes` bytes (contents undefined), 64-byte aligned. */
  alloc(bytes: number): number {
    const size = roundUp(Math.max(bytes, 1), ALIGN);
    for (let i = 0; i < this.free.length; i++) {
      const f = this.free[i]!;
      if (f.size < size) continue;
      const ptr = f.ptr;
      if (f.size === size) this.free.splice(i, 1);
      else {
        f.ptr += size;
        f.size -= size;
      }
      this.sizes.set(ptr, size);
      return ptr;
    }
    const ptr = this.top;
    const end = ptr + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) {
        throw new RangeError(`wasm backend: out of memory (${end} bytes needed, at most ${MAX_PAGES * PAGE})`);
      }
      this.memory.grow(pages);
    }
    this.top = end;
    this.clean = Math.max(this.clean, end);
    this.sizes.set(ptr, size);
    return ptr;
  }

  /**
   * A block of at least `bytes` bytes, all zeros: only the part of it that was in a block before
   * is filled. Memory the heap has just grown is zeros already: filling it was one more pass over
   * every new page than its user makes (the cat's 20 MB X made 2-3 ms faster; the first touch of
   * a new page, about 16 ms of the 21 that filling took, moves to whoever writes it first).
   */
  allocZeroed(bytes: number): number {
    const clean = this.clean;
    const ptr = this.alloc(bytes);
    const used = Math.min(ptr + bytes, clean) - ptr;
    if (used > 0) new Uint8Array(this.memory.buffer, ptr, used).fill(0);
    return ptr;
  }

  release(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) return;
    this.sizes.delete(ptr);
    // Insert in address order and merge with neighbours; a block at the top shrinks the top instead.
    let i = 0;
    while (i < this.free.length && this.free[i]!.ptr < ptr) i++;
    const block = { ptr, size };
    this.free.splice(i, 0, block);
    const next = this.free[i + 1];
    if (next && block.ptr + block.size === next.ptr) {
      block.size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.ptr + prev.size === block.ptr) {
      prev.size += block.size;
      this.free.splice(i, 1);
    }
    const lastFree = this.free[this.free.length - 1];
    if (lastFree && lastFree.ptr + lastFree.size === this.top) {
      this.top = lastFree.ptr;
      this.free.pop();
    }
  }
}

export function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
