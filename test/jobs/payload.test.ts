import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { absoluteReference } from '../../src/jobs/dataRef.js';
import { JOB_VERSION, MAX_REFERENCE_LENGTH, type TrainJob, validateJob } from '../../src/jobs/payload.js';
import { parseQueueUrl, redactSecret, redactUrl } from '../../src/jobs/queueUrl.js';
import { reportedCosts } from '../../src/jobs/queuedTrain.js';

const good: TrainJob = {
  version: JOB_VERSION,
  kind: 'trial',
  data: 'builtin:moons',
  validation: null,
  xKey: null,
  yKey: null,
  label: null,
  dtype: 'float64',
  backend: 'auto',
  trial: { trial: 3, learningRate: 0.1, layers: [4, 4], hidden: 'relu', output: 'sigmoid', cost: 'bce', init: 'xavier', seed: 1, iterations: 100, classes: null },
  given: [],
  returnModel: false,
  modelPath: null,
};

/** The message of validateJob's ConfigError for a job with `change` applied. */
function rejection(change: (job: Record<string, unknown> & { trial: Record<string, unknown> }) => void): string {
  const job = structuredClone(good) as unknown as Record<string, unknown> & { trial: Record<string, unknown> };
  change(job);
  try {
    validateJob(job);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('validateJob accepted a malformed job');
}

describe('job payload validation', () => {
  it('accepts a well-formed job as it is', () => {
    expect(validateJob(structuredClone(good))).toEqual(good);
    expect(validateJob({ ...structuredClone(good), kind: 'train', given: ['output'], validation: '/data/test.h5', modelPath: '/models/m.safetensors' }).kind).toBe('train');
  });

  it('names the field, what it expects and what it got', () => {
    expect(rejection((j) => (j.trial.learningRate = -1))).toBe('malformed job: field "trial.learningRate": expected a finite number > 0, got -1');
    expect(rejection((j) => (j.trial.learningRate = '0.1'))).toBe('malformed job: field "trial.learningRate": expected a finite number > 0, got "0.1"');
    expect(rejection((j) => (j.trial.layers = [4, 0]))).toBe('malformed job: field "trial.layers[1]": expected an integer in [1, 1000000], got 0');
    expect(rejection((j) => (j.trial.hidden = 'swish'))).toBe('malformed job: field "trial.hidden": expected one of sigmoid|tanh|relu|leakyRelu|linear, got "swish"');
    expect(rejection((j) => (j.trial.seed = 2 ** 32))).toBe('malformed job: field "trial.seed": expected an integer in [0, 4294967295], got 4294967296');
    expect(rejection((j) => (j.trial.iterations = 1.5))).toMatch(/^malformed job: field "trial.iterations": expected an integer/);
    expect(rejection((j) => delete j.trial.init)).toBe('malformed job: field "trial.init": expected one of xavier|he|small|zeros, got nothing');
    expect(rejection((j) => (j.version = 2))).toBe('malformed job: field "version": expected 1 (this worker\'s job format), got 2');
    expect(rejection((j) => (j.kind = 'shell'))).toBe('malformed job: field "kind": expected one of trial|train, got "shell"');
    expect(rejection((j) => (j.modelPath = 'relative/m.safetensors'))).toBe('malformed job: field "modelPath": expected an absolute path, got "relative/m.safetensors"');
    expect(rejection((j) => (j.given = ['layers']))).toBe('malformed job: field "given[0]": expected one of output|cost, got "layers"');
  });

  it('refuses unknown fields and data sent inline instead of by reference', () => {
    expect(rejection((j) => (j.exec = 'rm -rf /'))).toBe('malformed job: unknown field "exec"');
    expect(rejection((j) => (j.trial.X = [[1, 2]]))).toBe('malformed job: unknown field "trial.X"');
    expect(rejection((j) => (j.data = [[0.1, 0.2], [0.3, 0.4]]))).toMatch(/^malformed job: field "data": expected a data reference/);
    expect(rejection((j) => (j.data = 'x'.repeat(MAX_REFERENCE_LENGTH + 1)))).toMatch(/^malformed job: field "data": expected a data reference .*, got "x{59}\.\.\.$/);
    expect(() => validateJob(null)).toThrow('malformed job: field "": expected an object, got null');
    expect(() => validateJob([good])).toThrow('malformed job: field "": expected an object');
  });
});

describe('queue URLs', () => {
  it('parses redis:// and rediss:// with host, port and database', () => {
    expect(parseQueueUrl('redis://127.0.0.1:6390/2')).toMatchObject({ tls: false, host: '127.0.0.1', port: 6390, db: 2, safe: 'redis://127.0.0.1:6390/2' });
    expect(parseQueueUrl('rediss://:s3cret@queue.example')).toMatchObject({ tls: true, port: 6379, db: 0, safe: 'rediss://***@queue.example' });
  });

  it('refuses other URLs with the password removed from the message', () => {
    expect(() => parseQueueUrl('http://:s3cret@h:1')).toThrow('--queue: http://***@h:1 has the scheme "http:"; expected redis:// or rediss:// (TLS)');
    expect(() => parseQueueUrl('redis://:s3cret@h:1/jobs')).toThrow('--queue: redis://***@h:1/jobs has the path /jobs');
    expect(() => parseQueueUrl('127.0.0.1:6379')).toThrow(ConfigError);
    expect(() => parseQueueUrl('redis://u:s3cret@h:1?tls=1')).toThrow('redis://***@h:1?tls=1 has a query');
    for (const url of ['http://:s3cret@h:1', 'redis://:s3cret@h:1/jobs', 'redis://u:s3cret@h:1?tls=1', 'not a url :s3cret@']) {
      try {
        parseQueueUrl(url);
      } catch (e) {
        expect((e as Error).message).not.toContain('s3cret');
      }
    }
  });

  it('removes a password from any message, percent-encoded or not', () => {
    expect(redactUrl('redis://user:p%40ss@h:1/0')).toBe('redis://***@h:1/0');
    expect(redactSecret('AUTH p@ss failed at redis://user:p%40ss@h:1/0', 'redis://user:p%40ss@h:1/0')).toBe('AUTH *** failed at redis://***@h:1/0');
  });
});

describe('job helpers', () => {
  it('data references are absolute, built-ins unchanged', () => {
    expect(absoluteReference('builtin:cat')).toBe('builtin:cat');
    expect(absoluteReference('data/train.h5')).toBe(`${process.cwd()}/data/train.h5`);
    expect(absoluteReference('idx:a/img,b/lab')).toBe(`idx:${process.cwd()}/a/img,${process.cwd()}/b/lab`);
  });

  it("a queued train reports the costs a local train prints: every printEvery-th and the last", () => {
    expect(reportedCosts([5, 4, 3, 2, 1], 2)).toEqual([[0, 5], [2, 3], [4, 1]]);
    expect(reportedCosts([5, 4, 3, 2], 2)).toEqual([[0, 5], [2, 3], [3, 2]]);
    expect(reportedCosts([], 100)).toEqual([]);
  });
});

describe('passwords in any position', () => {
  const specials = ['@', ':', '/', '%', '#', '?', '&', '=', '+', ' ', "'", '"', '\\', '*'];
  it('are removed from messages whatever characters they hold, raw or percent-encoded', () => {
    for (const c of specials) {
      for (const password of [`${c}Zq7`, `Zq${c}7`, `Zq7${c}`, `Zq${c}${c}7`]) {
        const encoded = encodeURIComponent(password);
        for (const url of [`redis://:${encoded}@h:1/0`, `redis://user:${encoded}@h:1`, `rediss://:${password}@h:1`]) {
          const safe = redactUrl(url);
          expect(safe, url).toMatch(/^rediss?:\/\/\*\*\*@h:1(\/0)?$/);
          const message = redactSecret(`connect to ${url} failed: AUTH ${password} / ${encoded} refused`, url);
          expect(message, url).not.toContain(password);
          expect(message, url).not.toContain(encoded);
          try {
            parseQueueUrl(url);
          } catch (e) {
            expect((e as Error).message).not.toContain(password);
            expect((e as Error).message).not.toContain(encoded);
          }
        }
      }
    }
  });
});
