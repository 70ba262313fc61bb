/**
 * The page the `track` command drives in headless Chromium: the SDK's offline mode over every
 * frame of a video file, results streamed back to Node, and a contact sheet of the fit drawn
 * over sampled frames.
 */
// The package's entry points only: the build keeps them external, so this page loads the
// package's own dist/index.js, record.js and core.js.
import { FaceModelEvaluator, projectModelPoints, readFaceModel, type FaceModel } from '../../src/core/index.js';
import { FaceTracker, openVideoFile, type FaceFrame, type TrackerError } from '../../src/index.js';
import { Recorder, type Take } from '../../src/record.js';
import type { FrameRecord, TrackPageOptions, TrackPageResult, TrackProgress } from './trackProtocol.js';

declare global {
  interface Window {
    runTrack(options: TrackPageOptions): Promise<TrackPageResult>;
    /** Provided by the Node side (page.exposeFunction). */
    emitFrames(records: FrameRecord[]): Promise<void>;
    emitProgress(progress: TrackProgress): Promise<void>;
  }
}

/** Frame records per call to the Node side. */
const RECORD_BATCH = 30;

interface SheetCell {
  image: ImageBitmap;
  frame: FaceFrame | null;
  videoTime: number;
}

window.runTrack = async (options) => {
  const started = performance.now();
  const tracker = await FaceTracker.create({
    ...(options.modelUrl ? { model: options.modelUrl } : {}),
    smoothing: options.smoothing ? undefined : false,
    cache: false,
  });
  try {
    const { info, frames } = await openVideoFile(options.videoUrl);
    const sheetIndices = new Set(Array.from({ length: options.sheetFrames }, (_, i) => Math.round(((i + 0.5) * info.frameCount) / options.sheetFrames)));
    const cells: SheetCell[] = [];
    let processed = 0, withFace = 0;
    const batch: FrameRecord[] = [];
    // The same take a live recording gives: the tracker's frame events, at the video's times.
    const recorder = new Recorder(tracker);
    const tracking = performance.now();
    // Two frames in flight: the next frame decodes while the worker tracks this one. The worker
    // answers in order, so records stay in frame order.
    const inFlight: Promise<void>[] = [];
    for await (const { frame, videoTime, index } of frames()) {
      const keep = sheetIndices.has(index) ? await createImageBitmap(frame) : undefined;
      inFlight.push(
        tracker.track(frame, videoTime).then((result) => {
          if (result) withFace++;
          processed++;
          batch.push(toRecord(index, videoTime, result, tracker));
          // Records cross to Node in batches: a call per frame cost the page a quarter of its rate.
          if (batch.length >= RECORD_BATCH) void window.emitFrames(batch.splice(0));
          if (keep) cells.push({ image: keep, frame: result, videoTime });
          if (processed % 10 === 0) void window.emitProgress({ frames: processed, frameCount: info.frameCount, seconds: (performance.now() - tracking) / 1000 });
        }),
      );
      if (inFlight.length >= 2) await inFlight.shift();
    }
    await Promise.all(inFlight);
    if (batch.length > 0) await window.emitFrames(batch);
    const trackingSeconds = (performance.now() - tracking) / 1000;
    const modelBytes = new Uint8Array(await (await fetch(options.modelUrl ?? '/models/face-default.glb')).arrayBuffer());
    const overlayPng = await drawContactSheet(cells, await readFaceModel(modelBytes));
    const take = withFace > 0 ? await exportTake(recorder.stop(), modelBytes) : undefined;
    return {
      frames: processed,
      framesWithFace: withFace,
      width: info.width,
      height: info.height,
      seconds: (performance.now() - started) / 1000,
      trackingSeconds,
      overlayPng,
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
  let binary = '';
  for (let i = 0; i < glb.length; i += 0x8000) binary += String.fromCharCode(...glb.subarray(i, i + 0x8000));
  return {
    json: JSON.stringify(take.toJSON()),
    ...(take.frames[0]?.arkit ? { csv: take.toCSV() } : {}),
    glb: `data:model/gltf-binary;base64,${btoa(binary)}`,
  };
}

/** A grid of face crops with the fitted mesh's wireframe over each. Returns a PNG data URL. */
async function drawContactSheet(cells: SheetCell[], model: FaceModel): Promise<string> {
  const cellPx = 360, columns = Math.min(4, cells.length);
  const rows = Math.ceil(cells.length / columns);
  const canvas = new OffscreenCanvas(columns * cellPx, rows * cellPx);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#111';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const evaluator = new FaceModelEvaluator(model);
  const inRegion = new Uint8Array(model.vertexCount);
  model.fittingRegion.forEach((v) => (inRegion[v] = 1));
  cells.forEach((cell, i) => {
    const ox = (i % columns) * cellPx, oy = Math.floor(i / columns) * cellPx;
    const f = cell.frame;
    // Crop a square around the observed face (or the frame centre when there is none).
    let cx = cell.image.width / 2, cy = cell.image.height / 2, size = Math.min(cell.image.width, cell.image.height);
    if (f) {
      const xs = [], ys = [];
      for (let k = 0; k < f.mediapipeLandmarks.length; k += 2) (xs.push(f.mediapipeLandmarks[k]!), ys.push(f.mediapipeLandmarks[k + 1]!));
      cx = (Math.min(...xs) + Math.max(...xs)) / 2;
      cy = (Math.min(...ys) + Math.max(...ys)) / 2;
      size = 1.5 * Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
    }
    const scale = cellPx / size;
    ctx.save();
    ctx.beginPath();
    ctx.rect(ox, oy, cellPx, cellPx);
    ctx.clip();
    ctx.drawImage(cell.image, ox - (cx - size / 2) * scale, oy - (cy - size / 2) * scale, cell.image.width * scale, cell.image.height * scale);
    if (f) {
      const vertices = evaluator.evaluateMesh({ identity: f.identity, expression: f.expression, jointRotations: f.jointRotations });
      const px = projectModelPoints(vertices, f.pose.rotation, f.pose.translation, f.camera);
      const toCell = (v: number): [number, number] => [ox + (px[2 * v]! - (cx - size / 2)) * scale, oy + (px[2 * v + 1]! - (cy - size / 2)) * scale];
      ctx.strokeStyle = 'rgba(80, 255, 140, 0.45)';
      ctx.lineWidth = 0.6;
      ctx.beginPath();
      const t = model.triangles;
      for (let k = 0; k < t.length; k += 3) {
        if (!inRegion[t[k]!] || !inRegion[t[k + 1]!] || !inRegion[t[k + 2]!]) continue;
        const [a, b, c] = [toCell(t[k]!), toCell(t[k + 1]!), toCell(t[k + 2]!)];
        ctx.moveTo(...a);
        ctx.lineTo(...b);
        ctx.lineTo(...c);
        ctx.closePath();
      }
      ctx.stroke();
      ctx.fillStyle = 'rgba(255, 80, 80, 0.9)';
      for (let k = 0; k < f.landmarks2d.length; k += 2) {
        const x = ox + (f.landmarks2d[k]! - (cx - size / 2)) * scale, y = oy + (f.landmarks2d[k + 1]! - (cy - size / 2)) * scale;
        ctx.fillRect(x - 0.75, y - 0.75, 1.5, 1.5);
      }
    }
    ctx.restore();
    ctx.fillStyle = '#fff';
    ctx.font = '14px sans-serif';
    ctx.fillText(`${cell.videoTime.toFixed(2)} s${f ? '' : ' (no face)'}`, ox + 8, oy + 20);
    cell.image.close();
  });
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:image/png;base64,${btoa(binary)}`;
}
