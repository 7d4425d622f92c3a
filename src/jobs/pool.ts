import { Worker } from 'node:worker_threads';
import type { TrainJob } from './payload.js';
import type { Stage } from './trainer-thread.js';
import type { TrialOutcome } from '../experiment/trial.js';

// Training threads for a queue worker, one per concurrent job, kept between jobs so each keeps its
// loaded data. A cancelled job's thread is terminated (training cannot be interrupted otherwise),
// and so is a failed job's: what it loaded or allocated goes with the thread, and the worker's
// memory is back where it was.

export interface Progress {
  iteration: number;
  iterations: number;
  cost: number;
}

/** A job stopped before it finished: cancelled, timed out, its lock lost, or handed back. */
export class Interrupted extends Error {}

/** A job the thread could not train: its data did not load ('load'), or it is above the memory bound ('bound'). */
export class JobFailed extends Error {
  constructor(
    message: string,
    readonly stage: Stage,
  ) {
    super(message);
  }
}

export class TrainerPool {
  /**
   * @param kernelThreads threads each job's kernels may use (the fast backend's own pool).
   * @param maxBytes memory each job may take (see memoryBound.ts).
   */
  constructor(
    private readonly kernelThreads: number,
    private readonly maxBytes: number,
  ) {}

  private idle: Worker[] = [];
  private busy = new Set<Worker>();
  private next = 0;

  run(job: TrainJob, onProgress: (p: Progress) => void, signal?: AbortSignal): Promise<TrialOutcome> {
    // '../jobs/': the same file from dist/jobs/ and from the bundled CLI's dist/bundle/.
    const thread = this.idle.pop() ?? new Worker(new URL('../jobs/trainer-thread.js', import.meta.url), { workerData: { kernelThreads: this.kernelThreads, maxBytes: this.maxBytes } });
    this.busy.add(thread);
    const id = this.next++;
    return new Promise<TrialOutcome>((resolve, reject) => {
      const done = (keep: boolean) => {
        thread.off('message', onMessage);
        thread.off('error', onError);
        thread.off('exit', onExit);
        signal?.removeEventListener('abort', onAbort);
        this.busy.delete(thread);
        if (keep) this.idle.push(thread);
        else void thread.terminate();
      };
      const onMessage = (m: { id: number; progress?: Progress; outcome?: TrialOutcome; error?: string; stage?: Stage }) => {
        if (m.id !== id) return;
        if (m.progress) return onProgress(m.progress);
        done(m.outcome !== undefined);
        if (m.outcome) resolve({ ...m.outcome, bytes: m.outcome.bytes ? new Uint8Array(m.outcome.bytes) : null });
        else reject(new JobFailed(m.error ?? 'failed', m.stage ?? 'load'));
      };
      const onError = (e: Error) => {
        done(false);
        reject(e);
      };
      const onExit = (code: number) => {
        done(false);
        reject(new Interrupted(`training thread stopped with exit code ${code}`));
      };
      const onAbort = () => {
        done(false);
        reject(new Interrupted(String(signal?.reason ?? 'cancelled')));
      };
      if (signal?.aborted) return onAbort();
      thread.on('message', onMessage);
      thread.on('error', onError);
      thread.on('exit', onExit);
      signal?.addEventListener('abort', onAbort);
      thread.postMessage({ id, job });
    });
  }

  /** Ends the idle threads (and, when forced, the busy ones: their jobs reject with Interrupted). */
  async close(force = false): Promise<void> {
    const threads = [...this.idle, ...(force ? this.busy : [])];
    this.idle = [];
    await Promise.all(threads.map((t) => t.terminate()));
  }
}
