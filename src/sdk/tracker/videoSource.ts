import { openCamera } from './openCamera.js';

/** What `FaceTracker.start` tracks: a playing video element, a MediaStream, or the user's camera. */
export type TrackerSource = HTMLVideoElement | MediaStream | { camera: MediaTrackConstraints | true };

/** A playing video element for a source, and how to let go of what was opened for it. */
export interface PlayingSource {
  video: HTMLVideoElement;
  /** Stops a camera opened here and detaches a stream from the element made for it; the caller's own video and stream are left alone. */
  release(): void;
}

/** Plays `source` in a video element (one made here unless it is one). Rejects with `camera-denied` / `camera-missing`. */
export async function playSource(source: TrackerSource): Promise<PlayingSource> {
  if (source instanceof HTMLVideoElement) return { video: source, release: () => undefined };
  const ownStream = !(source instanceof MediaStream);
  const stream = source instanceof MediaStream ? source : await openCamera(source.camera === true ? undefined : source.camera);
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  const release = () => {
    if (ownStream) stream.getTracks().forEach((t) => t.stop());
    video.srcObject = null;
  };
  try {
    await video.play();
  } catch (error) {
    release();
    throw error;
  }
  return { video, release };
}
