import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

// Every code block of the README runs as written, found by its language:
// - ts / js: typechecked (strict) against the built package, as a user's file that imports
//   'deepnet', then executed with Node;
// - sh: executed with bash in the repository;
// - a block with no language is text: a transcript starting with "$ " is run and its output compared,
//   anything else (sample output, usage) is read, not run;
// - `<!-- readme: not run (WHY) -->` on the line before a block skips running it, and
//   `<!-- readme: typechecked, not run ... (WHY) -->` a ts block's execution; the reason is required.
// Any other language is an error: a new kind of block needs a rule here.

interface Block {
  lang: string;
  code: string;
  line: number;
  marker: string | null;
}

export function readmeBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`README.md:${start + 1}: a code block that is never closed`);
    const before = start > 0 ? /^<!-- readme: (.*) -->$/.exec(lines[start - 1]!) : null;
    blocks.push({ lang: open[1]!, code: body.join('\n') + '\n', line: start + 1, marker: before ? before[1]! : null });
  }
  return blocks;
}

const blocks = readmeBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
const where = (b: Block) => `README.md:${b.line}`;
const notRun = (b: Block) => b.marker !== null && /^(typechecked, )?not run\b/.test(b.marker);

const dir = mkdtempSync(join(tmpdir(), 'deepnet-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README code blocks', () => {
  it('has blocks of known languages only, and every marker gives its reason', () => {
    expect(blocks.length).toBeGreaterThan(10);
    for (const b of blocks) {
      expect(['', 'ts', 'js', 'sh'], `${where(b)}: language ${JSON.stringify(b.lang)}`).toContain(b.lang);
      if (b.marker !== null) expect(b.marker, `${where(b)}: marker`).toMatch(/^(typechecked, )?not run[^(]*\(\S.{10,}\)$/);
      if (b.marker?.startsWith('typechecked')) expect(['ts', 'js'], where(b)).toContain(b.lang);
    }
  });

  const code = blocks.filter((b) => b.lang === 'ts' || b.lang === 'js');
  it('has TypeScript examples, and each typechecks against the built package', () => {
    expect(code.length).toBeGreaterThanOrEqual(5);
    // A user's project: 'deepnet' installed (linked to this repository's dist/), ESM, strict.
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, join(dir, 'node_modules', 'deepnet'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2022',
          lib: ['es2022', 'dom'],
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules/@types')],
          outDir: 'out',
        },
        include: ['*.ts'],
      }),
    );
    // Each block is a module of its own (its own imports and names), as a reader would paste it.
    for (const b of code) writeFileSync(join(dir, `block${b.line}.ts`), b.code + (/\b(import|export)\b/.test(b.code) ? '' : 'export {};\n'));
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8', timeout: 300_000 });
    // Errors name the block's file, whose number is the README line of its fence.
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  for (const b of code.filter((b) => !notRun(b))) {
    it(`${where(b)} (${b.lang}) runs`, () => {
      // The Network example is the course's whole cat run (about 24 s on 2 idle cores).
      const r = spawnSync(process.execPath, [join(dir, 'out', `block${b.line}.js`)], { cwd: dir, encoding: 'utf8', timeout: 540_000 });
      expect(r.stderr, where(b)).toBe('');
      expect(r.status, where(b)).toBe(0);
    });
  }

  for (const b of blocks.filter((b) => b.lang === 'sh' && !notRun(b))) {
    it(`${where(b)} (sh) runs`, () => {
      const r = spawnSync('bash', ['-euo', 'pipefail', '-c', b.code], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
      expect(r.stderr, where(b)).toBe('');
      expect(r.status, where(b)).toBe(0);
    });
  }

  for (const b of blocks.filter((b) => b.lang === '' && b.code.startsWith('$ '))) {
    it(`${where(b)} (a transcript) prints what it shows`, () => {
      const [command, ...output] = b.code.split('\n');
      // `npx deepnet` is this repository's bin, as npx runs it in a clone.
      const script = command!.slice(2).replace(/^npx deepnet\b/, `node ${join(ROOT, 'bin/deepnet.js')}`);
      const r = spawnSync('bash', ['-c', script], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
      expect(r.status, where(b)).toBe(0);
      expect(r.stdout).toBe(output.join('\n'));
    });
  }
});
