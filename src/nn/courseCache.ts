import type { ActivationKernel } from '../backend/backend.js';
import { getBackend } from '../backend/select.js';
import { ShapeError } from '../errors.js';
import { formatShape, Matrix } from '../matrix.js';
import type { ActivationCache, CourseLayerCache, LayerCache, LinearCache } from './layer.js';
import { softmax } from './softmax.js';
import { outputMatrix } from './workspace.js';

// The backward functions take a layer's cache in either form: the { linearCache, activationCache }
// that linearActivationForward returns, or the course's own ((A_prev, W, b), Z), whose activation
// cache is Z alone. A = g(Z) is recomputed where it is missing, as the course's sigmoid_backward does.

const FORMS =
  "the course's ((A_prev, W, b), Z), written [[APrev, W, b], Z], or the { linearCache, activationCache } that linearActivationForward returns";

/** What a value is, in a few words, for a message. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Matrix) return `a Matrix ${formatShape(value.shape)}`;
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value as object);
    return keys.length ? `an object with keys ${keys.join(', ')}` : 'an empty object';
  }
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}

function where(op: string, layer?: number): string {
  return layer === undefined ? op : `${op} (layer ${layer})`;
}

function matrixAt(value: unknown, name: string, op: string, layer?: number): Matrix {
  if (value instanceof Matrix) return value;
  const hint = Array.isArray(value) ? ' (a nested array becomes one with Matrix.from(...))' : '';
  throw new ShapeError(`${where(op, layer)}: the cache's ${name} must be a Matrix, got ${describe(value)}${hint}`);
}

/** A = g(Z), as the forward pass computed it. */
function recomputeA(Z: Matrix, g: ActivationKernel): Matrix {
  if (g.name === 'softmax') return softmax(Z);
  const A = outputMatrix(Z.rows, Z.cols, Z.dtype);
  getBackend().activationForward(g, Z, A);
  return A;
}

function activationCacheOf(value: unknown, g: ActivationKernel, op: string, layer?: number): ActivationCache {
  if (value instanceof Matrix) return { Z: value, A: recomputeA(value, g) };
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'Z' in value) {
    const { Z, A } = value as { Z: unknown; A?: unknown };
    const z = matrixAt(Z, 'Z', op, layer);
    if (A === undefined) return { Z: z, A: recomputeA(z, g) };
    const a = matrixAt(A, 'A', op, layer);
    if (a.rows !== z.rows || a.cols !== z.cols) {
      throw new ShapeError(`${where(op, layer)}: the cache's A ${formatShape(a.shape)} must have the shape of its Z ${formatShape(z.shape)}`);
    }
    return { Z: z, A: a };
  }
  throw new ShapeError(`${where(op, layer)}: the activation cache must be Z (a Matrix) or { Z, A }, got ${describe(value)}`);
}

function linearCacheOf(value: unknown, op: string, layer?: number): LinearCache {
  if (Array.isArray(value)) {
    if (value.length !== 3) {
      throw new ShapeError(`${where(op, layer)}: the linear cache must be (A_prev, W, b), three matrices, got ${describe(value)}`);
    }
    return { APrev: matrixAt(value[0], 'A_prev', op, layer), W: matrixAt(value[1], 'W', op, layer), b: matrixAt(value[2], 'b', op, layer) };
  }
  if (value !== null && typeof value === 'object' && 'APrev' in value && 'W' in value && 'b' in value) {
    const c = value as Record<string, unknown>;
    return { APrev: matrixAt(c.APrev, 'APrev', op, layer), W: matrixAt(c.W, 'W', op, layer), b: matrixAt(c.b, 'b', op, layer) };
  }
  throw new ShapeError(`${where(op, layer)}: the linear cache must be (A_prev, W, b) or { APrev, W, b }, got ${describe(value)}`);
}

/**
 * A layer's cache in deepnet's form, from either form; anything else is a ShapeError that shows
 * both forms. `g` is the layer's activation (used to recompute A from Z).
 */
export function layerCache(cache: LayerCache | CourseLayerCache | unknown, g: ActivationKernel, op: string, layer?: number): LayerCache {
  if (Array.isArray(cache)) {
    if (cache.length !== 2) throw new ShapeError(`${where(op, layer)}: cache must be ${FORMS}; got ${describe(cache)}`);
    return { linearCache: linearCacheOf(cache[0], op, layer), activationCache: activationCacheOf(cache[1], g, op, layer) };
  }
  if (cache !== null && typeof cache === 'object' && 'linearCache' in cache && 'activationCache' in cache) {
    const c = cache as { linearCache: unknown; activationCache: unknown };
    return { linearCache: linearCacheOf(c.linearCache, op, layer), activationCache: activationCacheOf(c.activationCache, g, op, layer) };
  }
  throw new ShapeError(`${where(op, layer)}: cache must be ${FORMS}; got ${describe(cache)}`);
}
