import { lstatSync, realpathSync, type Stats, statSync } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { idxFiles } from '../data/files.js';
import { ConfigError } from '../errors.js';

// What a job may touch on the worker's machine: data files under its --data-root folders and model
// files under its --model-root folders, after every link is followed, and only regular files (a
// FIFO or a device would block or stream forever). Everything is checked before a file is opened;
// a refusal names the file relative to its root and never shows what the file holds. A path
// outside the roots is refused before it is looked at, so a job cannot probe what exists there.

/** A folder a worker allows, as given (for messages) and with its links resolved (for checks). */
export interface Root {
  given: string;
  real: string;
}

/** --data-root/--model-root values: repeatable, each a list separated by ":" (the system's path delimiter). */
export function parseRoots(values: readonly string[], flag: string): Root[] {
  return values
    .flatMap((v) => v.split(delimiter))
    .filter((v) => v !== '')
    .map((v) => {
      const given = resolve(v);
      let real: string;
      try {
        real = realpathSync(given);
      } catch {
        throw new ConfigError(`${flag} ${v}: no such folder`);
      }
      if (!statSync(real).isDirectory()) throw new ConfigError(`${flag} ${v}: not a folder`);
      return { given, real };
    });
}

const inside = (path: string, folder: string): boolean => path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);

/** The root `path` lies in, by its name (given or resolved form of the root), or undefined. */
function rootOf(path: string, roots: readonly Root[]): { root: Root; rel: string } | undefined {
  for (const root of roots) {
    for (const base of [root.given, root.real]) if (inside(path, base)) return { root, rel: relative(base, path) || '.' };
  }
  return undefined;
}

/** Why a job is refused: a ConfigError whose message is the job's failure reason. */
class Refused extends ConfigError {}

function kindOf(s: Stats): string {
  if (s.isFIFO()) return 'a FIFO';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isDirectory()) return 'a folder';
  return 'not a regular file';
}

/** `path` checked to lie in the roots, before and after its links are followed. */
function locate(path: string, field: string, roots: readonly Root[], kind: string): { real: string; rel: string; stats: Stats } {
  if (!isAbsolute(path)) throw new Refused(`field "${field}": ${JSON.stringify(path)} is not an absolute path`);
  const lexical = resolve(path);
  const at = rootOf(lexical, roots);
  if (!at) throw new Refused(`field "${field}": ${lexical} is outside the worker's ${kind} roots`);
  let real: string;
  try {
    real = realpathSync(lexical);
  } catch {
    throw new Refused(`field "${field}": ${at.rel}: not found in the worker's ${kind} roots`);
  }
  if (!rootOf(real, roots)) throw new Refused(`field "${field}": ${at.rel}: a link that leads outside the worker's ${kind} roots`);
  // stat, not open: a FIFO is told by its type without blocking on it.
  return { real, rel: at.rel, stats: statSync(real) };
}

/** `path` as a regular file in the roots; returns its resolved path. */
function confineFile(path: string, field: string, roots: readonly Root[], kind: string): string {
  const { real, rel, stats } = locate(path, field, roots, kind);
  if (!stats.isFile()) throw new Refused(`field "${field}": ${rel}: ${kindOf(stats)}; expected a regular file`);
  return real;
}

/** The path of `path` relative to the root it lies in (for messages), else the path. */
export function relativeToRoots(path: string, roots: readonly Root[]): string {
  return rootOf(path, roots)?.rel ?? path;
}

/**
 * A job's data reference with every file it names checked and resolved: builtin:NAME as it is,
 * a file or idx:IMAGES,LABELS as their resolved paths, idx:IMAGES or idx:FOLDER as the resolved
 * paths of the files the loader would pick (a folder's train-* or t10k-* files, by `role`).
 */
export function confineReference(spec: string, field: string, role: 'train' | 'test', roots: readonly Root[]): string {
  if (spec.startsWith('builtin:')) return spec;
  if (!spec.startsWith('idx:')) return confineFile(spec, field, roots, 'data');
  const parts = spec.slice('idx:'.length).split(',');
  if (parts.length === 2) return `idx:${parts.map((p) => confineFile(p, field, roots, 'data')).join(',')}`;
  if (parts.length !== 1) throw new Refused(`field "${field}": expected idx:IMAGES, idx:IMAGES,LABELS or idx:FOLDER`);
  const { real, rel, stats } = locate(parts[0]!, field, roots, 'data');
  if (!stats.isFile() && !stats.isDirectory()) throw new Refused(`field "${field}": ${rel}: ${kindOf(stats)}; expected a regular file or a folder`);
  let files: { images: string; labels: string };
  try {
    files = idxFiles(real, role);
  } catch (e) {
    // Its message names only the path and the fixed MNIST file names.
    throw new Refused(`field "${field}": ${(e as Error).message.split(real).join(rel)}`);
  }
  return `idx:${confineFile(files.images, field, roots, 'data')},${confineFile(files.labels, field, roots, 'data')}`;
}

/**
 * A job's model path checked before training: inside a model root after links, its folder there,
 * and the file itself absent or a regular file (never a link, a FIFO or a folder). Returns the path
 * to write, in the resolved folder.
 */
export function confineModelPath(path: string, roots: readonly Root[]): string {
  const field = 'modelPath';
  if (!isAbsolute(path)) throw new Refused(`field "${field}": ${JSON.stringify(path)} is not an absolute path`);
  const lexical = resolve(path);
  const at = rootOf(lexical, roots);
  if (!at || at.rel === '.') throw new Refused(`field "${field}": ${lexical} is outside the worker's model roots`);
  const dir = locate(dirname(lexical), field, roots, 'model');
  if (!dir.stats.isDirectory()) throw new Refused(`field "${field}": ${dir.rel}: not a folder`);
  const folder = dir.real;
  const target = join(folder, basename(lexical));
  if (!rootOf(target, roots)) throw new Refused(`field "${field}": ${at.rel}: outside the worker's model roots`);
  let s: Stats | undefined;
  try {
    s = lstatSync(target);
  } catch {
    s = undefined;
  }
  if (s?.isSymbolicLink()) throw new Refused(`field "${field}": ${at.rel}: a link; the worker writes model files only over regular files`);
  if (s && !s.isFile()) throw new Refused(`field "${field}": ${at.rel}: ${kindOf(s)}; expected a regular file or a new name`);
  return target;
}
