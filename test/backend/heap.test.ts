import { describe, expect, it } from 'vitest';
import { WasmHeap } from '../../src/backend/wasm/heap.js';
import { WasmBackend } from '../../src/backend/wasm/wasm-backend.js';

// allocZeroed fills only what was in a block before: the rest is memory.grow's zeros. A block
// handed out dirty would be a matrix that does not start at zero: a wrong answer, silently.
describe('WasmHeap.allocZeroed', () => {
  const bytes = (heap: WasmHeap, ptr: number, n: number) => new Uint8Array(heap.buffer, ptr, n);

  it('gives zeros where a released block was written, and where it lies partly over fresh memory', () => {
    const heap = new WasmHeap();
    const a = heap.alloc(1000);
    bytes(heap, a, 1000).fill(0xff);
    heap.release(a);
    const b = heap.allocZeroed(600);
    expect(b).toBe(a);
    expect(bytes(heap, b, 600).every((x) => x === 0)).toBe(true);
    heap.release(b);
    // Over the written 1000 bytes and 3 MB of memory grown for it.
    const c = heap.allocZeroed(3 << 20);
    expect(c).toBe(a);
    expect(bytes(heap, c, 3 << 20).every((x) => x === 0)).toBe(true);
  });

  it('gives zeros under any sequence of blocks written, released and taken again', () => {
    const heap = new WasmHeap();
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const live: { ptr: number; n: number }[] = [];
    let checked = 0;
    for (let step = 0; step < 400; step++) {
      const r = rand(10);
      if (r < 4 && live.length > 0) {
        const [blk] = live.splice(rand(live.length), 1);
        heap.release(blk!.ptr);
      } else {
        const n = 1 + rand(r < 6 ? 5000 : 200_000);
        const zeroed = r >= 6;
        const ptr = zeroed ? heap.allocZeroed(n) : heap.alloc(n);
        if (zeroed) {
          expect(bytes(heap, ptr, n).every((x) => x === 0)).toBe(true);
          checked++;
        }
        bytes(heap, ptr, n).fill(1 + rand(255));
        live.push({ ptr, n });
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("a backend's matrix starts at zero in a block another matrix wrote and gave back", () => {
    const b = new WasmBackend({ threads: 1 });
    const M = b.allocate(300, 300, 'float64');
    M.data.fill(Math.PI);
    b.release(M);
    const N = b.allocate(300, 300, 'float64');
    expect(N.data.every((x) => x === 0)).toBe(true);
    b.dispose();
  });
});
