import { freemem } from 'node:os';

// Node-only: the memory a run may use here, for nn/memory.ts's checkMemory.

/**
 * The bytes this process can still allocate: the system's available memory (MemAvailable on Linux),
 * or the container's limit when it is lower. A run estimated above it is refused before it starts.
 */
export function availableMemoryBytes(): number {
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  const free = freemem() + process.memoryUsage().rss;
  return constrained && constrained > 0 ? Math.min(constrained, free) : free;
}
