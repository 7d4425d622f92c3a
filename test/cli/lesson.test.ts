import { describe, expect, it } from 'vitest';
import { LESSONS } from '../../src/cli/lessons/index.js';
import { deepDims, parameterCount, shallowDims, trainParity, whatItShows } from '../../src/cli/lessons/why-deep.js';
import { COURSE, expectLines } from '../course/courseFixture.js';
import { deepnet } from '../helpers/cli.js';

async function printed(name: string, options = {}): Promise<{ lines: string[]; results: Record<string, unknown> }> {
  const lesson = LESSONS.find((l) => l.name === name)!;
  const lines = [lesson.notebook];
  const results = await lesson.run((text) => void lines.push(...text.split('\n')), options);
  return { lines, results };
}

// The notebooks' own prints, run by numpy (test/fixtures/make_course_weeks.py), line by line.
describe("each lesson prints what its notebook prints, with numpy's numbers", () => {
  it('week4-step-by-step: every line, digit for digit', async () => {
    const { lines } = await printed('week4-step-by-step');
    expect(lines).toEqual(COURSE.lessons['week4-step-by-step']);
  });

  it('week3-planar: every line (the flower run drifts after iteration 7000: 8000 and 9000 to 1e-3)', async () => {
    const { lines } = await printed('week3-planar');
    expectLines(lines, COURSE.lessons['week3-planar']!, (line) => (/Cost after iteration [89]000:/.test(line) ? 1e-3 : 1e-9));
  }, 1_800_000);

  it('week2-logistic: every line, the model and the learning-rate study', async () => {
    const { lines, results } = await printed('week2-logistic');
    expectLines(lines, COURSE.lessons['week2-logistic']!);
    expect(results.trainAccuracy).toBe(99.04306220095694);
  }, 1_800_000);

  it('week4-application: both cat models, their costs and accuracies', async () => {
    const { lines } = await printed('week4-application');
    expectLines(lines, COURSE.lessons['week4-application']!);
  }, 1_800_000);
});

describe('deepnet lesson (the command)', () => {
  it('--list names the lessons and their notebooks; --list --json the same as objects', () => {
    const r = deepnet(['lesson', '--list']);
    expect(r.status).toBe(0);
    const names = r.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(['week2-logistic', 'week3-planar', 'week4-step-by-step', 'week4-application', 'why-deep']);
    const j = deepnet(['lesson', '--list', '--json']);
    const list = JSON.parse(j.stdout) as { name: string; notebook: string }[];
    expect(list.map((l) => l.name)).toEqual(names);
    expect(list[2]!.notebook).toBe('Building your Deep Neural Network: Step by Step (week 4)');
  });

  it('prints the lesson, its first line naming the notebook; --json gives the same lines and the numbers', () => {
    const r = deepnet(['lesson', 'week4-step-by-step']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').slice(0, -1)).toEqual(COURSE.lessons['week4-step-by-step']);
    const j = JSON.parse(deepnet(['lesson', 'week4-step-by-step', '--json']).stdout);
    expect(j.lesson).toBe('week4-step-by-step');
    expect(j.notebook).toBe(j.lines[0]);
    expect(j.lines).toEqual(COURSE.lessons['week4-step-by-step']);
    expect(j.results.AL[0]).toHaveLength(4);
  });

  it.each([
    [['lesson'], /error: name a lesson \(week2-logistic, .*\) or use --list/],
    [['lesson', 'week5'], /error: unknown lesson "week5"; the lessons are week2-logistic, week3-planar/],
    [['lesson', 'week3-planar', '--max-n', '4'], /error: --max-n applies to why-deep, not week3-planar/],
    [['lesson', 'why-deep', '--max-n', 'ten'], /--max-n.*expected a positive integer, got "ten"/],
    [['lesson', 'why-deep', '--list'], /error: --list takes no lesson name/],
  ])('bad usage exits 2 with one line: %j', (args, message) => {
    const r = deepnet(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('a why-deep option out of range is a user error (exit 1) naming the flag', () => {
    const r = deepnet(['lesson', 'why-deep', '--min-n', '5', '--max-n', '3']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('deepnet: error: --max-n must be an integer from --min-n (5) to 14, got 3\n');
  });
});

describe('why-deep', () => {
  it('the XOR tree and the shallow network of about the same size', () => {
    expect(deepDims(2)).toEqual([2, 2, 1]);
    expect(deepDims(10)).toEqual([10, 10, 6, 4, 2, 1]);
    expect(parameterCount([10, 10, 6, 4, 2, 1])).toBe(217);
    expect(shallowDims(10, 217)).toEqual([10, 18, 1]);
    expect(parameterCount([10, 18, 1])).toBe(217);
  });

  it('the table is reproducible from its seed, and is what trainParity measures', () => {
    const args = ['lesson', 'why-deep', '--min-n', '2', '--max-n', '5', '--iterations', '500', '--json'];
    const a = deepnet(args);
    const b = deepnet(args);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const j = JSON.parse(a.stdout);
    expect(j.lines[0]).toBe('Why deep representations? (week 4 lecture: circuit theory and deep learning)');
    expect(j.results.runs).toHaveLength(8);
    const r5 = j.results.runs.find((r: { n: number; network: string }) => r.n === 5 && r.network === 'shallow');
    expect(r5).toEqual(trainParity(5, 'shallow', [5, 11, 1], 1, 500));
    // The table's rows and the text are printed from those runs.
    expect(j.lines).toContain(`5    shallow   [5, 11, 1]              78          ${r5.accuracy.toFixed(4)}    ${r5.iterations}`);
    for (const line of whatItShows(j.results.runs)) expect(j.lines).toContain(line);
    const other = JSON.parse(deepnet([...args.slice(0, -1), '--seed', '2', '--json']).stdout);
    expect(other.results.seed).toBe(2);
    expect(other.results.runs).not.toEqual(j.results.runs);
  });

  it('its text says what the table shows, whichever way it comes out', () => {
    const run = (n: number, network: 'deep' | 'shallow', accuracy: number, iterations: number) => ({ n, network, layerDims: [], parameters: 0, accuracy, iterations });
    const deepWins = whatItShows([run(3, 'deep', 1, 10), run(3, 'shallow', 0.9, 500), run(4, 'deep', 1, 10), run(4, 'shallow', 1, 50)]);
    expect(deepWins[0]).toBe('The deep networks learned parity exactly for 2 of 2 sizes, the shallow ones for 1.');
    expect(deepWins[1]).toBe('Only deep: n = 3; only shallow: no n. Where both did, deep needed fewer iterations for n = 4, shallow for no n.');
    expect(deepWins[2]).toMatch(/depth helped here/);
    const shallowWins = whatItShows([run(3, 'deep', 0.5, 10), run(3, 'shallow', 1, 5), run(4, 'deep', 1, 90), run(4, 'shallow', 1, 50)]);
    expect(shallowWins[2]).toMatch(/^Here depth did not help/);
    const even = whatItShows([run(3, 'deep', 1, 10), run(3, 'shallow', 1, 50), run(4, 'deep', 1, 90), run(4, 'shallow', 1, 50)]);
    expect(even[2]).toMatch(/^Neither kind came out clearly ahead/);
  });
});
