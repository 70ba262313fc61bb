import { TrackerError } from '../../core/errors.js';

/** Where the files that `FaceTracker.create` loads came from. */
export interface LoadedFileUrls {
  /** The face model (.glb). */
  model: string;
  /** MediaPipe's FaceLandmarker task (.task). */
  landmarker: string;
  /** The prior's ONNX file(s); empty without a prior. */
  prior: string[];
}

/**
 * A `model-format` or `prior-format` error raised where a file is parsed (the worker, MediaPipe)
 * says what is wrong with the bytes but not which URL they came from: prefix that URL (also as
 * `details.url`), so the message names the file to replace. Other errors pass unchanged.
 */
export function namedFileError(error: TrackerError, urls: LoadedFileUrls): TrackerError {
  if (error.details.url !== undefined) return error;
  let files: string[];
  if (error.code === 'prior-format') files = urls.prior;
  else if (error.code === 'model-format') files = [error.details.stage === 'landmarker' ? urls.landmarker : urls.model];
  else return error;
  if (files.length === 0) return error;
  return new TrackerError(error.code, `Could not use ${files.join(' and ')}: ${error.message}`, { ...error.details, url: files.length === 1 ? files[0] : files }, { cause: error });
}
