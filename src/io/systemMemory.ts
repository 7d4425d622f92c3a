import { processMemoryLimit } from '../nn/memory.js';

// Node-only: the memory a run may use here, for nn/memory.ts's checkMemory.

/**
 * The bytes this process can still allocate: the system's available memory (MemAvailable on Linux),
 * or the container's limit when it is lower. A run estimated above it is refused before it starts.
 */
export function availableMemoryBytes(): number {
  return processMemoryLimit() ?? Infinity;
}
