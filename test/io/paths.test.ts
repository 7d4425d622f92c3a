import { createHash } from 'node:crypto';
import { chmodSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, FileError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { checkInputFile, checkOutputPath, checkOutputPaths, dataSpecFiles, readUserFile, sameFile } from '../../src/io/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'deepnet-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);

describe('checkOutputPath: every output is checked before any work', () => {
  writeFileSync(at('data.csv'), 'a,b\n1,0\n');
  symlinkSync('data.csv', at('link.csv'));
  linkSync(at('data.csv'), at('hard.csv'));
  mkdirSync(at('folder'));

  const bad: [string, string, RegExp][] = [
    ['empty', '', /^--out: an empty file name$/],
    ['a folder', at('folder'), /--out ".*folder": is a folder; give a file name/],
    ['a trailing slash', at('new') + '/', /names a folder/],
    ['a missing folder', at('nowhere/model.safetensors'), /folder .*nowhere does not exist/],
    ['a file as the folder', at('data.csv/model.safetensors'), /data\.csv is not a folder/],
    ['a name over 255 bytes', at('m'.repeat(256)), /longer than 255 bytes/],
    ['the input itself', at('data.csv'), /is the same file as ".*data\.csv"; writing it would destroy that file/],
    ['a symbolic link to the input', at('link.csv'), /link\.csv": is the same file as/],
    ['a hard link to the input', at('hard.csv'), /hard\.csv": is the same file as/],
  ];
  for (const [what, path, message] of bad) {
    it(`refuses ${what}`, () => {
      let caught: unknown;
      try {
        checkOutputPath(path, '--out', [at('data.csv')]);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as Error).message).toMatch(message);
    });
  }

  it('takes a new file in a writable folder, a 255-byte name, and an existing file that is no input', () => {
    expect(() => checkOutputPath(at('model.safetensors'), '--out', [at('data.csv')])).not.toThrow();
    expect(() => checkOutputPath(at('m'.repeat(255)), '--out')).not.toThrow();
    writeFileSync(at('old.safetensors'), 'x');
    expect(() => checkOutputPath(at('old.safetensors'), '--out', [at('data.csv')])).not.toThrow();
  });

  it('two outputs of one command may not be the same file', () => {
    expect(() => checkOutputPaths([['--out', at('x.png')], ['--plot', at('x.png')]], [])).toThrow(/--plot ".*x\.png": is the same file as/);
  });

  it.skipIf(process.getuid?.() === 0)('a read-only folder is refused', () => {
    mkdirSync(at('ro'));
    chmodSync(at('ro'), 0o555);
    expect(() => checkOutputPath(at('ro/m.safetensors'), '--out')).toThrow(/folder .*ro is not writable/);
    chmodSync(at('ro'), 0o755);
  });

  it('data specs name their files', () => {
    expect(dataSpecFiles('builtin:cat')).toEqual([]);
    expect(dataSpecFiles('idx:a,b')).toEqual(['a', 'b']);
    expect(dataSpecFiles('x.h5')).toEqual(['x.h5']);
    expect(dataSpecFiles(undefined)).toEqual([]);
    expect(sameFile(at('link.csv'), at('hard.csv'))).toBe(true);
    expect(sameFile(at('data.csv'), at('model.safetensors'))).toBe(false);
  });
});

describe('reading names the user\'s file', () => {
  it('missing, a folder: a FileError with the flag and path', () => {
    expect(() => checkInputFile(at('none.safetensors'), '--model')).toThrow(new FileError(`--model ${at('none.safetensors')}: no such file`));
    expect(() => readUserFile(at('folder'), '--model')).toThrow(new FileError(`--model ${at('folder')}: is a folder, expected a file`));
    expect(() => readUserFile(at('n'.repeat(300)))).toThrow(/n{300}: cannot read: file name too long \(ENAMETOOLONG\)/);
  });
});

describe('writeFileAtomic', () => {
  it('keeps the mode of the file it replaces (a 0600 model stays 0600)', () => {
    const path = at('secret.safetensors');
    writeFileSync(path, 'old');
    chmodSync(path, 0o600);
    writeFileAtomic(path, 'new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe('new');
    chmodSync(path, 0o640);
    writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it('writes through a symbolic link to its target and keeps the link', () => {
    mkdirSync(at('real'));
    writeFileSync(at('real/model.safetensors'), 'old');
    symlinkSync('real/model.safetensors', at('current.safetensors'));
    writeFileAtomic(at('current.safetensors'), 'new');
    expect(lstatSync(at('current.safetensors')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(at('current.safetensors'))).toBe('real/model.safetensors');
    expect(readFileSync(at('real/model.safetensors'), 'utf8')).toBe('new');
    // A dangling link: the file it names is created.
    symlinkSync('real/next.safetensors', at('next.safetensors'));
    writeFileAtomic(at('next.safetensors'), 'made');
    expect(readFileSync(at('real/next.safetensors'), 'utf8')).toBe('made');
    expect(readdirSync(at('real')).sort()).toEqual(['model.safetensors', 'next.safetensors']);
  });

  it('writes a file with a 255-byte name (its temporary name is short)', () => {
    mkdirSync(at('long'));
    const path = at(`long/${'x'.repeat(243)}.safetensors`);
    writeFileAtomic(path, 'ok');
    expect(readFileSync(path, 'utf8')).toBe('ok');
    expect(readdirSync(at('long'))).toHaveLength(1);
  });

  it("removes a killed run's temporary file, and keeps other files", () => {
    mkdirSync(at('stale'));
    const path = at('stale/model.safetensors');
    writeFileAtomic(path, 'first');
    // A run killed mid-write left its temporary file; pid 2^22 + 1 is above Linux's pid_max default.
    const hash = createHash('sha256').update('model.safetensors').digest('hex').slice(0, 12);
    const stale = at(`stale/.deepnet-${hash}-4194305-0badf00d.tmp`);
    writeFileSync(stale, 'half');
    const old = new Date(Date.now() - 3600_000);
    utimesSync(stale, old, old);
    writeFileSync(at('stale/.other.tmp'), 'not ours');
    writeFileAtomic(path, 'second');
    expect(readdirSync(at('stale')).sort()).toEqual(['.other.tmp', 'model.safetensors']);
  });

  it('an error names the path the user gave, never the temporary file', () => {
    let caught: unknown;
    try {
      writeFileAtomic(at('missing/model.safetensors'), 'x', '--out');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(FileError);
    expect((caught as Error).message).toBe(`--out ${at('missing/model.safetensors')}: cannot write: no such file or folder (ENOENT)`);
    expect(() => writeFileAtomic(at('folder'), 'x')).toThrow(new RegExp(`^${at('folder')}: cannot write: is a folder`));
    expect(readdirSync(at('folder'))).toEqual([]);
  });
});
