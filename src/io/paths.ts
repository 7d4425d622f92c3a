import { accessSync, constants, lstatSync, readFileSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError, FileError } from '../errors.js';

// Node-only: the checks every command and the queue worker make on the files a user names, before
// any work starts, and the one wording of a file-system error (always the user's path, never a
// temporary file's).

/** The longest file name most file systems take (NAME_MAX), in bytes. */
export const NAME_MAX = 255;

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EISDIR: 'is a folder, expected a file',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENAMETOOLONG: 'file name too long',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for the file system',
  EROFS: 'on a read-only file system',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
  EBUSY: 'busy',
  EXDEV: 'on another file system',
  ETXTBSY: 'busy',
  EINVAL: 'invalid argument',
};

/** Whether e is a Node file-system error with this code (or any code). */
export function isFsError(e: unknown, code?: string): e is NodeJS.ErrnoException {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' && /^E[A-Z]+$/.test(c) && (code === undefined || c === code);
}

/** Node's ERR_FS_* errors (e.g. a file over 2 GiB for readFileSync) by code, in words. */
const NODE_REASONS: Record<string, string> = {
  ERR_FS_FILE_TOO_LARGE: 'file too large to read into memory (over 2 GiB)',
  ERR_FS_EISDIR: 'is a folder, expected a file',
  ERR_FS_CP_EINVAL: 'invalid copy',
};

/**
 * A file-system error as one line naming the user's `path` and, when given, the flag: e.g.
 * "--out model.safetensors: cannot write: permission denied (EACCES)".
 */
export function fileError(e: unknown, path: string, action: 'read' | 'write' | 'open', flag?: string): FileError {
  const code = (e as { code?: unknown } | null)?.code;
  const reason =
    typeof code === 'string' && (REASONS[code] ?? NODE_REASONS[code])
      ? `${REASONS[code] ?? NODE_REASONS[code]} (${code})`
      : (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
  return new FileError(`${flag ? `${flag} ` : ''}${path}: cannot ${action}: ${reason}`, { cause: e });
}

function statOrNull(path: string, follow: boolean): Stats | null {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch (e) {
    if (isFsError(e, 'ENOENT') || isFsError(e, 'ENOTDIR')) return null;
    throw e;
  }
}

/**
 * Where a write to `path` lands: the path itself, or through symbolic links (also dangling ones) the
 * file they point to. Writing replaces that file and keeps the links.
 */
export function writeTarget(path: string): string {
  let at = path;
  for (let hops = 0; hops < 40; hops++) {
    const st = statOrNull(at, false);
    if (!st?.isSymbolicLink()) return at;
    const link = readlinkSync(at);
    at = isAbsolute(link) ? link : join(dirname(at), link);
  }
  throw new FileError(`${path}: cannot write: too many levels of symbolic links (ELOOP)`);
}

/** The absolute path a write to `path` lands on, with every folder above it resolved (for comparing paths). */
function canonical(path: string): string {
  const target = writeTarget(path);
  try {
    return realpathSync(target);
  } catch {
    try {
      return join(realpathSync(dirname(target)), basename(target));
    } catch {
      return resolve(target);
    }
  }
}

/** Whether a and b are the same file: the same inode (hard or symbolic links too), or the same canonical path. */
export function sameFile(a: string, b: string): boolean {
  const sa = statOrNull(a, true);
  const sb = statOrNull(b, true);
  if (sa && sb) return sa.dev === sb.dev && sa.ino === sb.ino;
  return canonical(a) === canonical(b);
}

/** The files a data spec names: none for builtin:NAME, the listed ones for idx:..., else the path. */
export function dataSpecFiles(spec: string | undefined): string[] {
  if (spec === undefined || spec.startsWith('builtin:')) return [];
  if (spec.startsWith('idx:')) return spec.slice('idx:'.length).split(',').filter((p) => p !== '');
  return [spec];
}

/**
 * Checks a file a command will write, before any work is done: a non-empty name that fits the file
 * system, not a folder, in a folder that exists and can be written, and not the same file as any of
 * the command's inputs (or its other outputs), through links too. Throws a ConfigError or FileError
 * naming the flag and the path.
 */
export function checkOutputPath(path: string, flag: string, others: readonly string[] = []): void {
  try {
    checkOutput(path, flag, others);
  } catch (e) {
    throw isFsError(e) ? fileError(e, path, 'write', flag) : e;
  }
}

function checkOutput(path: string, flag: string, others: readonly string[]): void {
  const name = `${flag} ${JSON.stringify(path)}`;
  if (path === '') throw new ConfigError(`${flag}: an empty file name`);
  if (/[\\/]$/.test(path)) throw new ConfigError(`${name}: names a folder; give a file name`);
  if (Buffer.byteLength(basename(path)) > NAME_MAX) throw new ConfigError(`${name}: file name is longer than ${NAME_MAX} bytes`);
  const target = writeTarget(path);
  const st = statOrNull(target, true);
  if (st?.isDirectory()) throw new ConfigError(`${name}: is a folder; give a file name`);
  if (st && !st.isFile()) throw new ConfigError(`${name}: is not a regular file (a device, pipe or socket)`);
  if (Buffer.byteLength(basename(target)) > NAME_MAX) throw new ConfigError(`${name}: file name is longer than ${NAME_MAX} bytes`);
  const folder = dirname(target);
  const fst = statOrNull(folder, true);
  if (!fst) throw new ConfigError(`${name}: folder ${folder} does not exist`);
  if (!fst.isDirectory()) throw new ConfigError(`${name}: ${folder} is not a folder`);
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
  } catch {
    throw new ConfigError(`${name}: folder ${folder} is not writable`);
  }
  if (st) {
    try {
      accessSync(target, constants.W_OK);
    } catch {
      throw new ConfigError(`${name}: the file exists and is read-only`);
    }
  }
  for (const other of others) {
    if (other !== '' && sameFile(path, other)) throw new ConfigError(`${name}: is the same file as ${JSON.stringify(other)}; writing it would destroy that file`);
  }
}

/** Checks every output of a command against each other and against its inputs: [flag, path] pairs, undefined ones skipped. */
export function checkOutputPaths(outputs: readonly (readonly [string, string | undefined])[], inputs: readonly (string | undefined)[]): void {
  const given = outputs.filter((o): o is readonly [string, string] => o[1] !== undefined);
  const ins = inputs.filter((i): i is string => i !== undefined);
  given.forEach(([flag, path], i) => checkOutputPath(path, flag, [...ins, ...given.slice(0, i).map((o) => o[1])]));
}

/** Checks a file a command will read: it exists, is a file, and can be read. Throws a FileError naming it. */
export function checkInputFile(path: string, flag?: string): void {
  const name = `${flag ? `${flag} ` : ''}${path}`;
  if (path === '') throw new ConfigError(`${flag ?? 'file'}: an empty file name`);
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    if (isFsError(e, 'ENOENT')) throw new FileError(`${name}: no such file`, { cause: e });
    throw fileError(e, path, 'read', flag);
  }
  if (st.isDirectory()) throw new FileError(`${name}: is a folder, expected a file`);
  try {
    accessSync(path, constants.R_OK);
  } catch (e) {
    throw fileError(e, path, 'read', flag);
  }
}

/** A user's file's bytes; a folder, a missing file or any read error is a FileError naming it (and the flag). */
export function readUserFile(path: string, flag?: string): Buffer {
  checkInputFile(path, flag);
  try {
    return readFileSync(path);
  } catch (e) {
    throw fileError(e, path, 'read', flag);
  }
}
