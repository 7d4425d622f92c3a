import { Worker } from 'node:worker_threads';
import type { TrainJob } from './payload.js';
import type { TrialOutcome } from '../experiment/trial.js';

// Training threads for a queue worker, one per concurrent job, kept between jobs so each keeps its
// loaded data. A cancelled job's thread is terminated (training cannot be interrupted otherwise).

export interface Progress {
  iteration: number;
  iterations: number;
  cost: number;
}

/** A job stopped before it finished: cancelled, or handed back when the worker was stopped. */
export class Interrupted extends Error {}

export class TrainerPool {
  /** @param kernelThreads threads each job's kernels may use (the fast backend's own pool). */
  constructor(private readonly kernelThreads: number) {}

  private idle: Worker[] = [];
  private busy = new Set<Worker>();
  private next = 0;

  run(job: TrainJob, onProgress: (p: Progress) => void, signal?: AbortSignal): Promise<TrialOutcome> {
    const thread = this.idle.pop() ?? new Worker(new URL('./trainer-thread.js', import.meta.url), { workerData: { kernelThreads: this.kernelThreads } });
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
      const onMessage = (m: { id: number; progress?: Progress; outcome?: TrialOutcome; error?: string }) => {
        if (m.id !== id) return;
        if (m.progress) return onProgress(m.progress);
        done(true);
        if (m.outcome) resolve({ ...m.outcome, bytes: m.outcome.bytes ? new Uint8Array(m.outcome.bytes) : null });
        else reject(new Error(m.error));
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
