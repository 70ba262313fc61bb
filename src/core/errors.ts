/**
 * The one error type the SDK throws or emits. `code` says what went wrong in a way code can
 * branch on; `message` says what the user can do about it.
 */
export type TrackerErrorCode =
  | 'camera-denied'
  | 'camera-missing'
  | 'camera-ended'
  | 'model-fetch'
  | 'model-format'
  | 'prior-format'
  | 'webgpu-unavailable'
  | 'gpu-device-lost'
  | 'worker-crashed'
  | 'invalid-input'
  | 'invalid-state'
  | 'listener-error'
  | 'calibration-failed'
  | 'disposed';

export class TrackerError extends Error {
  readonly code: TrackerErrorCode;
  /** Extra facts (URL, HTTP status, the offending shape, …). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: TrackerErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TrackerError';
    this.code = code;
    this.details = details;
  }

  /** Plain-object form that survives structured cloning (worker → main thread). */
  toJSON(): { name: string; code: TrackerErrorCode; message: string; details: Record<string, unknown> } {
    return { name: this.name, code: this.code, message: this.message, details: { ...this.details } };
  }

  static fromJSON(json: { code: TrackerErrorCode; message: string; details?: Record<string, unknown> }): TrackerError {
    return new TrackerError(json.code, json.message, json.details ?? {});
  }
}

/** Throws a `model-format` error: the file is not what a face model must be. */
export function modelFormatError(message: string, details: Record<string, unknown> = {}): never {
  throw new TrackerError('model-format', message, details);
}
