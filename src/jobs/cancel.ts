// A cancel request for a running job: BullMQ cancels only within the worker process that runs the
// job, so `deepnet jobs cancel` leaves this key and the worker checks it with each progress report.

/** Outside BullMQ's own keys (bull:QUEUE:...), kept a day. */
export const cancelKey = (jobId: string): string => `deepnet:cancel:${jobId}`;
export const CANCEL_TTL_S = 24 * 3600;
