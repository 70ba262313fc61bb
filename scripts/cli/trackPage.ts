/**
 * The page the `track` command drives in headless Chromium: the SDK's offline mode over every
 * frame of a video file, results streamed back to Node, the fit drawn over the frames (a
 * contact sheet of sampled frames; optionally every frame as an MP4, streamed to Node too).
 */
// The package's entry points only: the build keeps them external, so this page loads the
// package's own dist/index.js, record.js and core.js.
import { readFaceModel } from '../../src/core/index.js';
import { FaceTracker, openVideoFile, type FaceFrame, type TrackerError } from '../../src/index.js';
import { Recorder, type Take } from '../../src/record.js';
import { ContactSheet } from './contactSheet.js';
import { dataUrl, toBase64 } from './dataUrl.js';
import { OverlayRenderer } from './overlayRenderer.js';
import { OverlayVideo } from './overlayVideo.js';
import type { FrameRecord, TrackPageResult } from './trackProtocol.js';

/** Frame records per call to the Node side. */
const RECORD_BATCH = 30;

window.runTrack = async (options) => {
  const started = performance.now();
  const tracker = await FaceTracker.create({
    ...(options.modelUrl ? { model: options.modelUrl } : {}),
    smoothing: options.smoothing ? undefined : false,
    cache: false,
  });
  try {
    const { info, frames } = await openVideoFile(options.videoUrl);
    const modelBytes = new Uint8Array(await (await fetch(options.modelUrl ?? '/models/face-default.glb')).arrayBuffer());
    const renderer = new OverlayRenderer(await readFaceModel(modelBytes), info.width, info.height);
    // Frame index → the contact sheet's cell.
    const sheetCells = new Map([...new Set(Array.from({ length: options.sheetFrames }, (_, i) => Math.round(((i + 0.5) * info.frameCount) / options.sheetFrames)))].map((frame, cell) => [frame, cell]));
    const sheet = new ContactSheet(sheetCells.size);
    const video = options.video ? await OverlayVideo.start(renderer.canvas, info.frameCount / info.durationS, (position, bytes) => window.emitVideoBytes(position, toBase64(bytes))) : undefined;
    let processed = 0, withFace = 0;
    const batch: FrameRecord[] = [];
    // The same take a live recording gives: the tracker's frame events, at the video's times.
    const recorder = new Recorder(tracker);
    const tracking = performance.now();
    // Two frames in flight: the next frame decodes while the worker tracks this one. The worker
    // answers in order, so records stay in frame order; the drawing is chained to keep that order too.
    const inFlight: Promise<void>[] = [];
    let drawn = Promise.resolve();
    try {
      for await (const { frame, videoTime, index } of frames()) {
        const cell = sheetCells.get(index);
        const image = cell !== undefined || video ? await createImageBitmap(frame) : undefined;
        const tracked = tracker.track(frame, videoTime).then((result) => {
          if (result) withFace++;
          processed++;
          batch.push(toRecord(index, videoTime, result, tracker));
          // Records cross to Node in batches: a call per frame cost the page a quarter of its rate.
          if (batch.length >= RECORD_BATCH) void window.emitFrames(batch.splice(0));
          if (processed % 10 === 0) void window.emitProgress({ frames: processed, frameCount: info.frameCount, seconds: (performance.now() - tracking) / 1000 });
          return result;
        });
        drawn = Promise.all([tracked, drawn]).then(async ([result]) => {
          if (!image) return;
          renderer.draw(image, result);
          image.close();
          if (cell !== undefined) sheet.drawCell(cell, renderer.canvas, result, videoTime);
          await video?.add(videoTime);
        });
        inFlight.push(drawn);
        if (inFlight.length >= 2) await inFlight.shift();
      }
      await Promise.all(inFlight);
      await video?.finish();
    } catch (error) {
      await video?.cancel();
      throw error;
    } finally {
      renderer.dispose();
    }
    if (batch.length > 0) await window.emitFrames(batch);
    const trackingSeconds = (performance.now() - tracking) / 1000;
    const overlayPng = await sheet.toPng();
    const take = withFace > 0 ? await exportTake(recorder.stop(), modelBytes) : undefined;
    return {
      frames: processed,
      framesWithFace: withFace,
      width: info.width,
      height: info.height,
      seconds: (performance.now() - started) / 1000,
      trackingSeconds,
      overlayPng,
      ...(video ? { video: { codec: video.codec, frames: processed } } : {}),
      expressionNames: tracker.info.model.expressionNames,
      units: tracker.info.model.units,
      ...(take ? { take } : {}),
    };
  } catch (error) {
    const e = error as TrackerError;
    throw new Error(`${e.code ? `[${e.code}] ` : ''}${e.message}`);
  } finally {
    tracker.dispose();
  }
};

const round = (values: ArrayLike<number>, digits: number) => Array.from(values, (v) => +v.toFixed(digits));

function toRecord(index: number, videoTime: number, f: FaceFrame | null, tracker: FaceTracker): FrameRecord {
  if (!f) return { frame: index, videoTime, face: false };
  const names = tracker.info.model.expressionNames;
  const record: FrameRecord = {
    frame: index,
    videoTime,
    face: true,
    timeMs: f.timeMs,
    units: f.units.length,
    pose: {
      rotation: round(f.pose.rotation, 6),
      translation: round(f.pose.translation, 4),
      yawPitchRollDeg: [f.pose.yaw, f.pose.pitch, f.pose.roll].map((r) => +((r * 180) / Math.PI).toFixed(3)),
    },
    expression: Object.fromEntries(names.map((n, i) => [n, +f.expression[i]!.toFixed(4)])),
    identity: round(f.identity, 4),
    landmarks2d: round(f.landmarks2d, 2),
    mediapipeLandmarks2d: round(f.mediapipeLandmarks, 2),
    mediapipeBlendshapes: round(f.mediapipeBlendshapes, 4),
    focalPx: +f.camera.focalPx.toFixed(2),
    fitRmsPx: +f.fit.landmarkRmsPx.toFixed(3),
    timingsMs: { landmarks: +f.timings.landmarksMs.toFixed(2), fit: +f.timings.fitMs.toFixed(2), worker: +f.timings.workerMs.toFixed(2) },
  };
  if (f.arkit) record.arkit = round(f.arkit, 4);
  if (f.landmarks68) record.landmarks68 = round(f.landmarks68, 2);
  if (f.jointRotations) record.jointRotations = round(f.jointRotations, 6);
  return record;
}

/** A take in the SDK's three export formats (the CSV only where the model has ARKit weights). */
async function exportTake(take: Take, modelBytes: Uint8Array): Promise<NonNullable<TrackPageResult['take']>> {
  const glb = await take.toGLB(modelBytes, { compress: true });
  return {
    json: JSON.stringify(take.toJSON()),
    ...(take.frameCount > 0 && take.frameAt(0).arkit ? { csv: take.toCSV() } : {}),
    glb: dataUrl('model/gltf-binary', glb),
  };
}
