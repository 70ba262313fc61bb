import { ARKIT_BLENDSHAPES } from '../../core/arkit.js';
import type { PinholeCamera } from '../../core/camera.js';
import { TrackerError } from '../../core/errors.js';
import type { LoadedFaceModel } from '../three/loadFaceModel.js';
import { liveLinkCsvParts, type LiveLinkCsvOptions } from './liveLinkCsv.js';
import type { TakeData, TakeFrame, TakeGap, TakeSource } from './TakeData.js';
import { TakeFrameStore } from './TakeFrameStore.js';
import { TAKE_FORMAT, TAKE_VERSION, type TakeFrameJSON, type TakeJSON, type TakeModelJSON } from './takeSchema.js';
import type { TakeGlbOptions } from './takeToGlb.js';

/** Frames per part of a streamed export: a few hundred kB of text each. */
const EXPORT_PART_FRAMES = 1000;

/**
 * A recorded sequence of tracked frames (`new Recorder(tracker)` … `recorder.stop()`), exportable as
 * JSON (`toJSON`, schema in `takeSchema.ts`), Live Link Face CSV (`toCSV`) and a glTF animation
 * on the face model (`toGLB`); `toBlob` writes the JSON or CSV part by part, for long takes.
 *
 * The frames are kept column by column (`TakeFrameStore`, about 385 bytes a frame for the default
 * model); `frameAt(i)` reads one, `frames` builds (once) an object for every frame.
 */
export class Take implements TakeSource {
  readonly startedAt: Date;
  readonly model: TakeModelJSON;
  readonly camera: PinholeCamera;
  readonly identity: Float32Array;
  readonly gaps: readonly TakeGap[];
  private readonly store: TakeFrameStore;
  private frameObjects?: TakeFrame[];

  constructor(data: TakeData | (Omit<TakeData, 'frames'> & { frames: TakeFrameStore })) {
    this.startedAt = data.startedAt;
    this.model = data.model;
    this.camera = data.camera;
    this.identity = data.identity;
    this.gaps = data.gaps ?? [];
    this.store = data.frames instanceof TakeFrameStore ? data.frames : TakeFrameStore.from(data.frames);
  }

  /** How many frames the take has. */
  get frameCount(): number {
    return this.store.length;
  }

  /** Frame `i` (0 ≤ i < frameCount), a fresh object. */
  frameAt(i: number): TakeFrame {
    return this.store.at(i);
  }

  /** Every frame as an object, built on first use and kept: for long takes prefer `frameCount` / `frameAt` / `toBlob`. */
  get frames(): TakeFrame[] {
    this.frameObjects ??= Array.from({ length: this.store.length }, (_, i) => this.store.at(i));
    return this.frameObjects;
  }

  /** Bytes the frames take in memory. */
  get frameBytes(): number {
    return this.store.byteLength;
  }

  /** Milliseconds from the first frame to the last. */
  get durationMs(): number {
    return this.store.length ? this.store.timeMsAt(this.store.length - 1) : 0;
  }

  /** The take as a versioned plain object (`JSON.stringify(take)` gives the same). */
  toJSON(): TakeJSON {
    return { ...this.headerJSON(), frames: Array.from({ length: this.store.length }, (_, i) => frameToJSON(this.store.at(i))) };
  }

  /**
   * The JSON (the same text as `JSON.stringify(take)`) or the Live Link Face CSV as a Blob written
   * in parts of 1000 frames, never as one string: for takes too long to export in one piece.
   */
  toBlob(format: 'json' | 'csv', options?: LiveLinkCsvOptions): Blob {
    if (format === 'csv') return new Blob([...liveLinkCsvParts(this, EXPORT_PART_FRAMES, options)], { type: 'text/csv' });
    const head = JSON.stringify({ ...this.headerJSON(), frames: [] });
    const parts: string[] = [head.slice(0, -3)];
    for (let from = 0; from < this.store.length; from += EXPORT_PART_FRAMES) {
      const to = Math.min(this.store.length, from + EXPORT_PART_FRAMES);
      const frames = Array.from({ length: to - from }, (_, k) => JSON.stringify(frameToJSON(this.store.at(from + k))));
      parts.push((from ? ',' : '[') + frames.join(','));
    }
    parts.push(this.store.length ? ']}' : '[]}');
    return new Blob(parts, { type: 'application/json' });
  }

  /** Reads a take written by `toJSON` (an object or its JSON text), of this version or an earlier one. */
  static fromJSON(json: TakeJSON | string): Take {
    const data = (typeof json === 'string' ? JSON.parse(json) : json) as TakeJSON;
    if (data?.format !== TAKE_FORMAT || !(data.version <= TAKE_VERSION)) {
      throw new TrackerError('invalid-input', `Not a take this SDK reads: expected format "${TAKE_FORMAT}" up to version ${TAKE_VERSION}, got ${data?.format} v${data?.version}.`);
    }
    const store = new TakeFrameStore({ expressionCount: data.model.expressionNames.length, jointRotationCount: 3 * (data.model.jointNames?.length ?? 0) });
    for (const f of data.frames) {
      const frame: TakeFrame = {
        // Version 1 counted seconds in `time`.
        timeMs: data.version === 1 ? (f as unknown as { time: number }).time * 1000 : f.timeMs,
        videoTime: f.videoTime,
        pose: { ...f.pose, rotation: triple(f.pose.rotation), translation: triple(f.pose.translation) },
        expression: Float32Array.from(f.expression),
      };
      if (f.arkit) frame.arkit = Float32Array.from(f.arkit);
      if (f.jointRotations) frame.jointRotations = Float32Array.from(f.jointRotations);
      if (f.eyes) frame.eyes = f.eyes;
      store.push(frame);
    }
    return new Take({
      startedAt: new Date(data.startedAt),
      model: data.model,
      camera: data.camera,
      identity: Float32Array.from(data.identity),
      frames: store,
      gaps: data.gaps ?? [],
    });
  }

  /** The take in Live Link Face's CSV layout (see `liveLinkCsv.ts`). */
  toCSV(options?: LiveLinkCsvOptions): string {
    return [...liveLinkCsvParts(this, EXPORT_PART_FRAMES, options)].join('');
  }

  /** Everything in the JSON form but the frames, in the schema's key order. */
  private headerJSON(): Omit<TakeJSON, 'frames'> {
    return {
      format: TAKE_FORMAT,
      version: TAKE_VERSION,
      startedAt: this.startedAt.toISOString(),
      model: this.model,
      camera: { ...this.camera },
      identity: rounded(this.identity),
      arkitNames: [...ARKIT_BLENDSHAPES],
      gaps: this.gaps.map((g) => ({ startMs: round(g.startMs), ...(g.endMs === undefined ? {} : { endMs: round(g.endMs) }), reason: g.reason })),
    };
  }

  /**
   * The face model (as loaded by `loadFaceModel`, or its `.glb` bytes) with this take as a glTF
   * animation: the face's shape baked in, expression morph weights, head rotation/translation
   * (and joint rotations for skinned models); see `takeToGlb.ts`. The model must be the one the
   * take was tracked with.
   */
  async toGLB(model: LoadedFaceModel | Uint8Array, options?: TakeGlbOptions): Promise<Uint8Array> {
    // Loaded on first use: glTF writing (glTF-Transform, meshopt) is the heaviest part of recording.
    const { takeToGlb } = await import('./takeToGlb.js');
    return takeToGlb(this, model instanceof Uint8Array ? model : model.bytes, options);
  }
}

function frameToJSON(f: TakeFrame): TakeFrameJSON {
  const out: TakeFrameJSON = {
    timeMs: round(f.timeMs),
    videoTime: round(f.videoTime),
    pose: { rotation: rounded(f.pose.rotation), translation: rounded(f.pose.translation), yaw: round(f.pose.yaw), pitch: round(f.pose.pitch), roll: round(f.pose.roll) },
    expression: rounded(f.expression),
  };
  if (f.arkit) out.arkit = rounded(f.arkit);
  if (f.jointRotations) out.jointRotations = rounded(f.jointRotations);
  if (f.eyes) out.eyes = { left: { yaw: round(f.eyes.left.yaw), pitch: round(f.eyes.left.pitch) }, right: { yaw: round(f.eyes.right.yaw), pitch: round(f.eyes.right.pitch) } };
  return out;
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
const rounded = (values: ArrayLike<number>) => Array.from(values, round);
const triple = (v: number[]): [number, number, number] => [v[0]!, v[1]!, v[2]!];
