/**
 * The accuracy benchmark's page: tracks a clip offline (every decoded frame through
 * `tracker.track`) and runs an independent 68-point detector (face-api: SSD MobileNet v1 face
 * box, then its 68-point landmark net; tfjs) on the exact same decoded frames, before they close.
 */
import * as faceapi from '@vladmandic/face-api';
import { FaceTracker, openVideoFile, type FaceFrame, type FaceTrackerOptions } from '../../src/index.js';
import { PACKAGE_ASSETS } from '../packageAssets.js';

/** One tracked frame, px of the video frame; numbers rounded for the cache. */
export interface FrameRecord {
  index: number;
  /** s */
  t: number;
  mediapipe: number[];
  fitted478: number[];
  fitted68?: number[];
  arkit?: number[];
  mediapipeScores: number[];
  /** face-api's 68 points, on the frames it ran on (every `detectEvery`-th) where it found a face; filled in from the detector's cache. */
  faceApi68?: number[];
}

/** What `trackClip` is asked to do: run face-api on every `detectEvery`-th frame, or (`detectEvery` 0) not at all. */
export interface ClipOptions {
  detectEvery: number;
  tfBackend: string;
  /** A still image is tracked as a static clip of this many frames (10), face-api on its last. */
  repeatImage?: number;
  /** Tracker options to try instead of the defaults (the bench's `--tracker`). */
  tracker?: TrackerVariant;
}

/** The tracker options a bench run may vary: the fitter's and the smoother's. */
export type TrackerVariant = Pick<FaceTrackerOptions, 'fitter' | 'smoothing'>;

export interface ClipRun {
  frames: FrameRecord[];
  frameCount: number;
  width: number;
  height: number;
  /** face-api's tfjs backend; absent when it did not run. */
  backend?: string;
  trackMs: number;
  detectMs: number;
}

declare global {
  interface Window {
    accuracyBench: {
      trackClip(url: string, options: ClipOptions): Promise<ClipRun>;
    };
  }
}

const round = (values: ArrayLike<number>) => Array.from(values, (v) => Math.round(v * 100) / 100);

/** The part of tfjs used here (face-api re-exports it; its types need tfjs's, not installed). */
const tf = faceapi.tf as unknown as { setBackend(name: string): Promise<boolean>; ready(): Promise<void>; getBackend(): string; setWasmPaths(prefix: string): void };

let detectorReady: Promise<string> | undefined;
function loadDetector(backend: string): Promise<string> {
  detectorReady ??= (async () => {
    // The WASM backend's binaries come from @tensorflow/tfjs-backend-wasm (the version face-api bundles).
    if (backend === 'wasm') tf.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
    await tf.setBackend(backend);
    await tf.ready();
    const models = '/node_modules/@vladmandic/face-api/model';
    await Promise.all([faceapi.nets.ssdMobilenetv1.loadFromUri(models), faceapi.nets.faceLandmark68Net.loadFromUri(models)]);
    return tf.getBackend();
  })();
  return detectorReady;
}

/** face-api's 68 points of the most confident face, or undefined. */
async function detect68(canvas: HTMLCanvasElement): Promise<number[] | undefined> {
  const found = await faceapi.detectSingleFace(canvas, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.3 })).withFaceLandmarks();
  return found && round(found.landmarks.positions.flatMap((p) => [p.x, p.y]));
}

function record(f: FaceFrame, index: number): FrameRecord {
  return {
    index,
    t: f.videoTime,
    mediapipe: round(f.mediapipeLandmarks),
    fitted478: round(f.landmarks2d),
    ...(f.landmarks68 && { fitted68: round(f.landmarks68) }),
    ...(f.arkit && { arkit: Array.from(f.arkit, (v) => Math.round(v * 1e4) / 1e4) }),
    mediapipeScores: Array.from(f.mediapipeBlendshapes, (v) => Math.round(v * 1e4) / 1e4),
  };
}

/** A video (decoded with WebCodecs) or a still image (its bitmap tracked `repeatImage` times, as a static clip). */
async function* decodedFrames(url: string, repeatImage: number): AsyncGenerator<{ frame: VideoFrame; videoTime: number; index: number }> {
  if (!/\.(jpe?g|png)$/i.test(url)) {
    yield* (await openVideoFile(url)).frames();
    return;
  }
  const bitmap = await createImageBitmap(await (await fetch(url)).blob());
  for (let index = 0; index < repeatImage; index++) yield { frame: new VideoFrame(bitmap, { timestamp: index * 33_333 }), videoTime: index / 30, index };
}

async function trackClip(url: string, options: ClipOptions): Promise<ClipRun> {
  const backend = options.detectEvery > 0 ? await loadDetector(options.tfBackend) : undefined;
  const tracker = await FaceTracker.create({ cache: false, prior: 'landmarks', ...PACKAGE_ASSETS, ...options.tracker });
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  const frames: FrameRecord[] = [];
  let frameCount = 0, trackMs = 0, detectMs = 0;
  const repeat = options.repeatImage ?? 10;
  try {
    for await (const { frame, videoTime, index } of decodedFrames(url, repeat)) {
      frameCount++;
      canvas.width = frame.displayWidth;
      canvas.height = frame.displayHeight;
      const lastOfImage = repeat - 1;
      const detectHere = backend !== undefined && (/\.(jpe?g|png)$/i.test(url) ? index === lastOfImage : index % options.detectEvery === 0);
      if (detectHere) context.drawImage(frame, 0, 0);
      let start = performance.now();
      const f = await tracker.track(frame, videoTime);
      trackMs += performance.now() - start;
      frame.close();
      if (!f) continue;
      const r = record(f, index);
      if (detectHere) {
        start = performance.now();
        const points = await detect68(canvas);
        detectMs += performance.now() - start;
        if (points) r.faceApi68 = points;
      }
      frames.push(r);
      // Progress for the driver (it prints lines starting 'accuracy:').
      if (index % 25 === 0) console.log(`accuracy: ${url} frame ${index}, tracking ${(trackMs / 1000).toFixed(0)} s, face-api ${(detectMs / 1000).toFixed(0)} s`);
    }
  } finally {
    tracker.dispose();
  }
  return { frames, frameCount, width: canvas.width, height: canvas.height, ...(backend && { backend }), trackMs, detectMs };
}

window.accuracyBench = { trackClip };
