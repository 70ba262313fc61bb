/**
 * The JSON form of a recorded take (`take.toJSON()`, `take.toBlob('json')`, `Take.fromJSON()`), version 3.
 *
 * ```jsonc
 * {
 *   "format": "pixel3dmm-take",
 *   "version": 3,
 *   "startedAt": "2026-01-31T12:00:00.000Z",   // wall-clock time of the first frame (ISO 8601)
 *   "model": {                                  // the face model the take was tracked with
 *     "name": "ict-facekit", "units": "cm", "metersPerUnit": 0.01,
 *     "identityCount": 100,
 *     "expressionNames": ["browDownLeft", …],   // order of every frame's "expression"
 *     "jointNames": ["root", "neck", …]         // skinned models only: order of "jointRotations"
 *   },
 *   "camera": { "focalPx": 560, "cx": 320, "cy": 240, "width": 640, "height": 480 },
 *   "identity": [0.12, …],                      // the face's shape, model coefficients (the last frame's estimate)
 *   "arkitNames": ["eyeBlinkLeft", …],          // the 52 ARKit names: order of every frame's "arkit"
 *   "gaps": [{                                  // stretches the tracker could not deliver (empty when none)
 *     "startMs": 5000,                          // the last frame before the gap (ms, as "timeMs")
 *     "endMs": 6300,                            // the first frame after the restart; absent if the take ended in the gap
 *     "reason": "worker-crashed"                // the tracking worker crashed (and was restarted)
 *   }],
 *   "frames": [{
 *     "timeMs": 33.3,                           // ms since the first frame
 *     "videoTime": 12.5,                        // s, position in the source video or stream
 *     "pose": {
 *       "rotation": [rx, ry, rz],               // axis-angle, rad: p_camera = R·p_model + translation
 *       "translation": [tx, ty, tz],            // model units, camera space (three.js camera: looks down −Z)
 *       "yaw": 0.1, "pitch": 0.0, "roll": 0.0   // the same rotation, rad, R = Ry(yaw)·Rx(pitch)·Rz(roll)
 *     },
 *     "expression": [0.0, …],                   // model expression coefficients ("model.expressionNames")
 *     "arkit": [0.0, …],                        // ARKit-52 weights in [0, 1]; absent for models without an ARKit map
 *     "jointRotations": [0, 0, 0, …],           // skinned models only: axis-angle per joint, rad
 *     "eyes": {                                 // eye rotations, rad, from MediaPipe's iris-based eyeLook scores
 *       "left": { "yaw": 0.02, "pitch": -0.01 },  // yaw > 0: towards the subject's left; pitch > 0: down
 *       "right": { "yaw": 0.02, "pitch": -0.01 }
 *     }
 *   }, …]
 * }
 * ```
 * Numbers are rounded to 6 decimals. Frames without a face are not recorded: gaps in `timeMs`
 * not listed in `gaps` are the moments the face was lost. A reader should refuse a `version`
 * above the one it knows. Version 1 (read by `Take.fromJSON`) had `time` in seconds where later
 * versions have `timeMs`; version 2 had no `gaps`.
 */
export const TAKE_FORMAT = 'pixel3dmm-take';
export const TAKE_VERSION = 3;

export interface TakeModelJSON {
  name: string;
  units: string;
  metersPerUnit: number;
  identityCount: number;
  expressionNames: string[];
  jointNames?: string[];
}

export interface TakeFrameJSON {
  timeMs: number;
  videoTime: number;
  pose: { rotation: number[]; translation: number[]; yaw: number; pitch: number; roll: number };
  expression: number[];
  arkit?: number[];
  jointRotations?: number[];
  eyes?: { left: { yaw: number; pitch: number }; right: { yaw: number; pitch: number } };
}

export interface TakeGapJSON {
  startMs: number;
  endMs?: number;
  reason: 'worker-crashed';
}

export interface TakeJSON {
  format: typeof TAKE_FORMAT;
  version: number;
  startedAt: string;
  model: TakeModelJSON;
  camera: { focalPx: number; cx: number; cy: number; width: number; height: number };
  identity: number[];
  arkitNames: string[];
  /** Since version 3. */
  gaps?: TakeGapJSON[];
  frames: TakeFrameJSON[];
}
