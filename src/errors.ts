// Every error deepnet throws on purpose is one of these classes, so callers (and the CLI) can tell
// a user's mistake from a bug. Each carries a stable `code`.

export abstract class DeepnetError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    // One line, always: a message that quotes a file's text (a parser's snippet) keeps its newlines escaped.
    super(message.replace(/\r?\n/g, '\\n'), options);
    this.name = new.target.name;
  }
}

/** A matrix dimension that does not fit the operation (the course's first lesson on bugs). */
export class ShapeError extends DeepnetError {
  readonly code = 'E_SHAPE';
}

/** An option, flag or network configuration that is out of range or unknown. */
export class ConfigError extends DeepnetError {
  readonly code = 'E_CONFIG';
}

/** A data file or in-memory data set that cannot be used as it is. */
export class DataError extends DeepnetError {
  readonly code = 'E_DATA';
}

/** A model file that is malformed, truncated, or written by a newer deepnet. */
export class ModelFileError extends DeepnetError {
  readonly code = 'E_MODEL_FILE';
}

/** Training that cannot go on, e.g. a cost that became NaN or Infinity. */
export class TrainingError extends DeepnetError {
  readonly code = 'E_TRAINING';
}

/** Training that diverged: the cost became NaN or Infinity, sat at the cost's clamp, or rose far above its start. */
export class DivergenceError extends TrainingError {}

/** A seed or random-number request that numpy itself would refuse. */
export class RandomError extends DeepnetError {
  readonly code = 'E_RANDOM';
}

/** The autograd engine used in a way it cannot honour (e.g. backward twice without retainGraph). */
export class AutogradError extends DeepnetError {
  readonly code = 'E_AUTOGRAD';
}

/** A file or folder the user named that cannot be read or written (missing, a folder, no permission ...). */
export class FileError extends DeepnetError {
  readonly code = 'E_FILE';
}
