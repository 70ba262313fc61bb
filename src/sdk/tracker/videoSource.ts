import { TrackerError } from '../../core/errors.js';
import { openCamera } from './openCamera.js';

/** What `FaceTracker.start` tracks: a playing video element, a MediaStream, or the user's camera. */
export type TrackerSource = HTMLVideoElement | MediaStream | { camera: MediaTrackConstraints | true };

/**
 * How a source ended by itself: a video file played to its end (`video-ended`), or the camera or
 * stream went away (`camera-ended`, with the error that says so).
 */
export type SourceEnd = { reason: 'video-ended' } | { reason: 'camera-ended'; error: TrackerError };

/** A playing video element for a source, and how to let go of what was opened for it. */
export interface PlayingSource {
  video: HTMLVideoElement;
  /** Stops a camera opened here and detaches a stream from the element made for it; the caller's own video and stream are left alone. */
  release(): void;
}

/**
 * Plays `source` in a video element (one made here unless it is one). Rejects with
 * `camera-denied` / `camera-missing`, or `invalid-input` for a stream without a live video
 * track. When the source ends, its frames stop for good and `onEnded` is called, once: a stream's
 * video ended (the camera unplugged, a screen share stopped: `camera-ended`), or a video element
 * playing a file reached its end (`video-ended`; a looping one never does).
 */
export async function playSource(source: TrackerSource, onEnded: (end: SourceEnd) => void): Promise<PlayingSource> {
  const ownStream = !(source instanceof MediaStream || source instanceof HTMLVideoElement);
  const stream = ownStream ? await openCamera(source.camera === true ? undefined : source.camera) : source instanceof MediaStream ? source : source.srcObject;
  const stopWatching = stream instanceof MediaStream ? watchVideoEnd(stream, ownStream, onEnded) : watchFileEnd(source as HTMLVideoElement, onEnded);
  if (source instanceof HTMLVideoElement) return { video: source, release: stopWatching };
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  const release = () => {
    stopWatching();
    if (ownStream) (stream as MediaStream).getTracks().forEach((t) => t.stop());
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

/**
 * Calls `onEnded` when the last live video track of `stream` ends. A track only fires 'ended'
 * when its source goes away (not on the page's own `track.stop()`), and then no frame, nor any
 * requestVideoFrameCallback, ever comes again: without this the tracker would wait forever.
 */
function watchVideoEnd(stream: MediaStream, ownCamera: boolean, onEnded: (end: SourceEnd) => void): () => void {
  const tracks = stream.getVideoTracks().filter((t) => t.readyState === 'live');
  if (tracks.length === 0) {
    if (ownCamera) stream.getTracks().forEach((t) => t.stop());
    throw new TrackerError('invalid-input', 'The MediaStream passed to start() has no live video track (it was stopped or has ended); pass a stream with a live video track.');
  }
  const onTrackEnded = () => {
    if (tracks.some((t) => t.readyState === 'live')) return;
    stop();
    const what = ownCamera ? 'The camera stopped delivering video (it was unplugged, switched off, or taken by the system or another app)' : "The video track of the stream being tracked ended (its camera was unplugged, its screen share stopped, or its source closed)";
    onEnded({ reason: 'camera-ended', error: new TrackerError('camera-ended', `${what}; tracking stopped. Reconnect the camera, then call start() again.`, { label: tracks[0]!.label }) });
  };
  const stop = () => tracks.forEach((t) => t.removeEventListener('ended', onTrackEnded));
  tracks.forEach((t) => t.addEventListener('ended', onTrackEnded));
  return stop;
}

/**
 * Calls `onEnded` when a video element playing a file reaches its end: no frame, nor any
 * requestVideoFrameCallback, comes after it until the app plays it again (a looping video never
 * ends). Without this the tracker would stay started, waiting.
 */
function watchFileEnd(video: HTMLVideoElement, onEnded: (end: SourceEnd) => void): () => void {
  const onVideoEnded = () => {
    stop();
    onEnded({ reason: 'video-ended' });
  };
  const stop = () => video.removeEventListener('ended', onVideoEnded);
  video.addEventListener('ended', onVideoEnded);
  return stop;
}

/**
 * What tells one source from another across `start()` calls: the camera's device id (a track
 * without one, e.g. a screen share or a canvas stream, is its own source), or the file a video
 * element plays.
 */
export function sourceIdentity(video: HTMLVideoElement): string {
  const stream = video.srcObject;
  if (stream instanceof MediaStream) {
    const track = stream.getVideoTracks()[0];
    return `camera:${track?.getSettings().deviceId || track?.id || ''}`;
  }
  return `file:${video.currentSrc || video.src}`;
}
