import { TrackerError } from '../../core/errors.js';

/** Opens a camera with getUserMedia, turning its failures into typed, actionable errors. */
export async function openCamera(constraints: MediaTrackConstraints = { facingMode: 'user', width: { ideal: 1280 }, height: { ideal: 720 } }): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new TrackerError('camera-missing', 'This page cannot use a camera: getUserMedia needs a secure context (https or localhost).');
  }
  try {
    return await navigator.mediaDevices.getUserMedia({ video: constraints, audio: false });
  } catch (cause) {
    const name = (cause as DOMException).name;
    if (name === 'NotAllowedError' || name === 'SecurityError') {
      throw new TrackerError('camera-denied', 'Camera permission was denied. Allow camera access for this site (the camera icon in the address bar, or the site settings), then start again.', { name }, { cause });
    }
    throw new TrackerError('camera-missing', CAMERA_MISSING_ADVICE[name] ?? `The camera could not be opened (${name}: ${(cause as Error).message}). Check that it is connected and not in use by another app, then start again.`, { name }, { cause });
  }
}

/** What the user can do, by getUserMedia's error name. */
const CAMERA_MISSING_ADVICE: Record<string, string> = {
  NotFoundError: 'No camera was found. Connect a camera (or enable it in the system settings), then start again.',
  NotReadableError: 'The camera is in use by another app or could not be started. Close the other app (or tab) that uses it, or reconnect the camera, then start again.',
  OverconstrainedError: 'No camera can deliver the requested settings (the constraints passed to start()). Relax them, e.g. drop an exact deviceId, width or height, then start again.',
  AbortError: 'The camera could not be started (the system stopped it). Reconnect the camera or restart the browser, then start again.',
};
