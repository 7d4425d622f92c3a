import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

// The layer rule for the top layers: cli/, jobs/ and web/ share experiment/ and never import each
// other, except the commands that start queue work (train and tune load the queue only when asked).

const imports = (folder: string) =>
  readdirSync(join(ROOT, folder))
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => [...readFileSync(join(ROOT, folder, f), 'utf8').matchAll(/(?:from|import\()\s*'([^']+)'/g)].map((m) => ({ file: `${folder}/${f}`, spec: m[1]!, text: m[0] })));

describe('layers', () => {
  it('jobs/ never imports cli/', () => {
    expect(imports('src/jobs').filter((i) => i.spec.startsWith('../cli/'))).toEqual([]);
  });

  it('experiment/ imports no layer above it', () => {
    expect(imports('src/experiment').filter((i) => /^\.\.\/(cli|jobs|web)\//.test(i.spec))).toEqual([]);
  });

  it('cli/ imports jobs/ only in the commands that run queue work, and train and tune load the queue lazily', () => {
    const found = imports('src/cli').filter((i) => i.spec.startsWith('../jobs/'));
    expect([...new Set(found.map((i) => i.file))].sort()).toEqual(['src/cli/jobs.ts', 'src/cli/main.ts', 'src/cli/train.ts', 'src/cli/tune.ts', 'src/cli/worker.ts']);
    // main.ts takes only the queue URL's redaction (no queue package) so that no error line shows a password.
    expect(found.filter((i) => i.file === 'src/cli/main.ts').map((i) => i.spec).sort()).toEqual(['../jobs/queueOption.js', '../jobs/queueUrl.js']);
    const queueCode = found.filter((i) => /queuedTrain|queuedTune|submit|worker\.js/.test(i.spec) && /(train|tune)\.ts$/.test(i.file));
    expect(queueCode.every((i) => i.text.startsWith('import('))).toBe(true);
    expect([...new Set(queueCode.map((i) => i.file))].sort()).toEqual(['src/cli/train.ts', 'src/cli/tune.ts']);
  });

  it('the playground maps labels with the experiment routine', () => {
    expect(imports('web').some((i) => i.spec === '../src/experiment/labels.js')).toBe(true);
  });
});
