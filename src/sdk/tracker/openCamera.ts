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
      throw new TrackerError('camera-denied', 'Camera permission was denied. Allow camera access for this site and try again.', { name }, { cause });
    }
    if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'NotReadableError') {
      throw new TrackerError('camera-missing', `No usable camera (${name}): connect a camera or close the app that holds it, then try again.`, { name }, { cause });
    }
    throw new TrackerError('camera-missing', `The camera could not be opened: ${(cause as Error).message}`, { name }, { cause });
  }
}
