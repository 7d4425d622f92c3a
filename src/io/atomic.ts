import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileError, isFsError, writeTarget } from './paths.js';

// A temporary name is short whatever the target's (a 255-byte name plus a suffix would pass
// NAME_MAX): a hash of the target's name, the writer's pid (to find a killed run's leftovers) and
// random bytes.
const TMP = /^\.deepnet-([0-9a-f]{12})-(\d+)-[0-9a-f]{8}\.tmp$/;

/** A temporary file older than this whose writer is gone is a killed run's leftover. */
const STALE_MS = 60_000;

function nameHash(name: string): string {
  return createHash('sha256').update(name).digest('hex').slice(0, 12);
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return !isFsError(e, 'ESRCH');
  }
}

/** Removes the temporary files of earlier writes to `target` whose writer was killed. */
function removeStale(folder: string, hash: string): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TMP.exec(name);
    if (!m || m[1] !== hash || Number(m[2]) === process.pid || running(Number(m[2]))) continue;
    const path = join(folder, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { force: true });
    } catch {
      // Gone already, or not ours to remove.
    }
  }
}

/** The mode a new file gets here: 0666 less the umask, as open() gives it. */
function newFileMode(): number {
  const umask = process.umask();
  return 0o666 & ~umask;
}

function fsyncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // Some systems cannot open or fsync a folder; the file itself is synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes a file so that it is never seen half-written: the bytes go to a temporary file in the same
 * folder (same file system, so the rename is atomic), synced to disk, which then replaces the
 * target. The target keeps its mode; through a symbolic link the file it points to is replaced and
 * the link kept. Every error names `path` (and `flag` when given), never the temporary file.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, flag?: string): void {
  let target: string;
  try {
    target = writeTarget(path);
  } catch (e) {
    throw isFsError(e) ? fileError(e, path, 'write', flag) : e;
  }
  const folder = dirname(target);
  const hash = nameHash(basename(target));
  removeStale(folder, hash);
  let mode = newFileMode();
  try {
    const st = statSync(target);
    if (st.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    mode = st.mode & 0o7777;
  } catch (e) {
    if (!isFsError(e, 'ENOENT')) throw fileError(e, path, 'write', flag);
  }
  const tmp = join(folder, `.deepnet-${hash}-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o600);
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    chmodSync(tmp, mode);
    renameSync(tmp, target);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // Closing fails only on a bad fd; the file is removed below either way.
      }
    }
    rmSync(tmp, { force: true });
    throw isFsError(e) ? fileError(e, path, 'write', flag) : e;
  }
  fsyncFolder(folder);
}
