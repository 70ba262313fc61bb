/**
 * Errors crossing a worker boundary. Structured cloning keeps an Error's message but drops a
 * subclass and its fields, so a `TrackerError` travels as plain data and is rebuilt on arrival.
 */
import { TrackerError, type TrackerErrorCode } from '../core/errors.js';

/** A `TrackerError` as plain data: what a worker's rejected promise carries. */
export interface WorkerErrorPayload {
  trackerError: { code: TrackerErrorCode; message: string; details: Record<string, unknown> };
}

/** Wraps any thrown value for the wire; a value that is not a `TrackerError` gets `fallback` as its code. */
export function toWorkerError(error: unknown, fallback: TrackerErrorCode): WorkerErrorPayload {
  const e = error instanceof TrackerError ? error : new TrackerError(fallback, (error as Error)?.message ?? String(error));
  return { trackerError: e.toJSON() };
}

/** The `TrackerError` a worker sent, or `otherwise(message)` for a failure that is not one (a crash, a cloning error). */
export function fromWorkerError(error: unknown, otherwise: (message: string) => TrackerError): TrackerError {
  if (error instanceof TrackerError) return error;
  const payload = (error as WorkerErrorPayload | undefined)?.trackerError;
  return payload ? TrackerError.fromJSON(payload) : otherwise((error as Error)?.message ?? String(error));
}
