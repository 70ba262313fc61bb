import { ARKIT_BLENDSHAPES } from '../../core/arkit.js';
import type { PinholeCamera } from '../../core/camera.js';
import { TrackerError } from '../../core/errors.js';
import type { LoadedFaceModel } from '../three/loadFaceModel.js';
import { takeToLiveLinkCsv, type LiveLinkCsvOptions } from './liveLinkCsv.js';
import type { TakeData, TakeFrame } from './TakeData.js';
import { TAKE_FORMAT, TAKE_VERSION, type TakeFrameJSON, type TakeJSON, type TakeModelJSON } from './takeSchema.js';
import type { TakeGlbOptions } from './takeToGlb.js';

/**
 * A recorded sequence of tracked frames (`new Recorder(tracker)` … `recorder.stop()`), exportable as
 * JSON (`toJSON`, schema in `takeSchema.ts`), Live Link Face CSV (`toCSV`) and a glTF animation
 * on the face model (`toGLB`).
 */
export class Take implements TakeData {
  readonly startedAt: Date;
  readonly model: TakeModelJSON;
  readonly camera: PinholeCamera;
  readonly identity: Float32Array;
  readonly frames: TakeFrame[];

  constructor(data: TakeData) {
    this.startedAt = data.startedAt;
    this.model = data.model;
    this.camera = data.camera;
    this.identity = data.identity;
    this.frames = data.frames;
  }

  /** Milliseconds from the first frame to the last. */
  get durationMs(): number {
    return this.frames.length ? this.frames[this.frames.length - 1]!.timeMs : 0;
  }

  /** The take as a versioned plain object (`JSON.stringify(take)` gives the same). */
  toJSON(): TakeJSON {
    return {
      format: TAKE_FORMAT,
      version: TAKE_VERSION,
      startedAt: this.startedAt.toISOString(),
      model: this.model,
      camera: { ...this.camera },
      identity: rounded(this.identity),
      arkitNames: [...ARKIT_BLENDSHAPES],
      frames: this.frames.map(frameToJSON),
    };
  }

  /** Reads a take written by `toJSON` (an object or its JSON text), of this version or an earlier one. */
  static fromJSON(json: TakeJSON | string): Take {
    const data = (typeof json === 'string' ? JSON.parse(json) : json) as TakeJSON;
    if (data?.format !== TAKE_FORMAT || !(data.version <= TAKE_VERSION)) {
      throw new TrackerError('invalid-input', `Not a take this SDK reads: expected format "${TAKE_FORMAT}" up to version ${TAKE_VERSION}, got ${data?.format} v${data?.version}.`);
    }
    return new Take({
      startedAt: new Date(data.startedAt),
      model: data.model,
      camera: data.camera,
      identity: Float32Array.from(data.identity),
      frames: data.frames.map((f) => {
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
        return frame;
      }),
    });
  }

  /** The take in Live Link Face's CSV layout (see `liveLinkCsv.ts`). */
  toCSV(options?: LiveLinkCsvOptions): string {
    return takeToLiveLinkCsv(this, options);
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
