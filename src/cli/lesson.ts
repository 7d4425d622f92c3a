import type { Command } from 'commander';
import { LESSONS } from './lessons/index.js';
import type { LessonOptions } from './lessons/lesson.js';
import { nonNegativeInt, positiveInt } from './parsers.js';

const FLAGS: Record<keyof LessonOptions, string> = { minN: '--min-n', maxN: '--max-n', seed: '--seed', iterations: '--iterations' };

export function lessonCommand(program: Command): void {
  program
    .command('lesson')
    .argument('[name]', `the lesson: ${LESSONS.map((l) => l.name).join(', ')}`)
    .description("run a notebook of the course cell by cell and print what it prints, with the course's numbers")
    .option('--list', 'list the lessons')
    .option('--json', 'print one JSON object: the lesson, its printed lines and its numbers')
    .option('--min-n <n>', 'why-deep: the smallest n of n-bit parity (default 2)', positiveInt)
    .option('--max-n <n>', 'why-deep: the largest n (default 10)', positiveInt)
    .option('--seed <seed>', 'why-deep: np.random.seed of the initial weights (default 1)', nonNegativeInt)
    .option('--iterations <n>', 'why-deep: the most iterations each network trains (default 3000)', positiveInt)
    .addHelpText(
      'after',
      '\nExamples:\n  $ deepnet lesson --list\n  $ deepnet lesson week3-planar\n  $ deepnet lesson why-deep --max-n 6 --json',
    )
    .action(async (name: string | undefined, opts: LessonOptions & { list?: boolean; json?: boolean }, cmd: Command) => {
      if (opts.list) {
        if (name !== undefined) cmd.error(`error: --list takes no lesson name (got ${JSON.stringify(name)})`, { exitCode: 2 });
        const list = LESSONS.map(({ name, notebook, summary }) => ({ name, notebook, summary }));
        if (opts.json) process.stdout.write(`${JSON.stringify(list)}\n`);
        else {
          const w = Math.max(...LESSONS.map((l) => l.name.length));
          for (const l of LESSONS) process.stdout.write(`${l.name.padEnd(w)}  ${l.notebook}: ${l.summary}\n`);
        }
        return;
      }
      if (name === undefined) cmd.error(`error: name a lesson (${LESSONS.map((l) => l.name).join(', ')}) or use --list`, { exitCode: 2 });
      const lesson = LESSONS.find((l) => l.name === name);
      if (!lesson) {
        cmd.error(`error: unknown lesson ${JSON.stringify(name)}; the lessons are ${LESSONS.map((l) => l.name).join(', ')}`, { exitCode: 2 });
      }
      const options: LessonOptions = {};
      for (const key of Object.keys(FLAGS) as (keyof LessonOptions)[]) {
        if (opts[key] === undefined) continue;
        if (!lesson.options.includes(key)) cmd.error(`error: ${FLAGS[key]} applies to ${LESSONS.filter((l) => l.options.includes(key)).map((l) => l.name).join(', ')}, not ${name}`, { exitCode: 2 });
        options[key] = opts[key];
      }
      const lines: string[] = [];
      // A printed array spans several lines: --json keeps one entry per line, as the notebook shows them.
      const print = opts.json ? (text: string) => void lines.push(...text.split('\n')) : (text: string) => void process.stdout.write(`${text}\n`);
      print(lesson.notebook);
      const results = await lesson.run(print, options);
      if (opts.json) process.stdout.write(`${JSON.stringify({ lesson: lesson.name, notebook: lesson.notebook, lines, results })}\n`);
    });
}
