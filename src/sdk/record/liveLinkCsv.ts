import { ARKIT_BLENDSHAPES } from '../../core/arkit.js';
import { TrackerError } from '../../core/errors.js';
import { eyeGaze } from '../../core/eyeGaze.js';
import type { TakeSource } from './TakeData.js';

export interface LiveLinkCsvOptions {
  /** The frame rate the timecode's frame field counts in (Live Link Face records at 60 by default). */
  timecodeFps?: number;
}

/** The 9 rotation columns Live Link Face writes after the 52 blendshapes. */
const ROTATION_COLUMNS = ['HeadYaw', 'HeadPitch', 'HeadRoll', 'LeftEyeYaw', 'LeftEyePitch', 'LeftEyeRoll', 'RightEyeYaw', 'RightEyePitch', 'RightEyeRoll'];

/** The header: `Timecode,BlendShapeCount`, the 52 ARKit names capitalized in ARKit order, the 9 rotations. */
export const LIVE_LINK_CSV_HEADER = ['Timecode', 'BlendShapeCount', ...ARKIT_BLENDSHAPES.map((n) => n[0]!.toUpperCase() + n.slice(1)), ...ROTATION_COLUMNS];

/**
 * A take in the CSV layout of Epic's Live Link Face app, which Unreal's LiveLinkFaceImporter,
 * Blender/Maya importers and MetaHuman tooling read:
 *
 * - `Timecode`: time of day `HH:MM:SS:FF.fff` (frame `FF` at `timecodeFps`, then the fraction of
 *   a frame), from the take's `startedAt` plus each frame's time.
 * - `BlendShapeCount`: 61 (52 blendshapes + 9 rotations), as Live Link Face writes.
 * - the 52 ARKit weights, in [0, 1].
 * - `HeadYaw`, `HeadPitch`, `HeadRoll`: radians, the tracked head pose's yaw/pitch/roll
 *   (R = Ry(yaw)·Rx(pitch)·Rz(roll) in the camera frame; the face looks down +Z at rest, yaw > 0
 *   turns it to its own left, pitch > 0 tilts it down, roll > 0 tilts it towards its right
 *   shoulder).
 * - `LeftEyeYaw` … `RightEyeRoll`: radians, the take's eye rotations (from MediaPipe's eyeLook
 *   scores, see `frameGaze`; from the ARKit weights when a frame has none), same sign conventions
 *   as the head, roll always 0. Live Link Face measures these; here they are a linear reading of
 *   the eyeLook weights.
 *
 * Yields the header line, then the rows `framesPerPart` frames at a time (each line ends in
 * `\n`), so a long take is never one string. A gap in the take (`take.gaps`) is a jump in
 * the timecode, as a face lost is.
 */
export function* liveLinkCsvParts(take: TakeSource, framesPerPart: number, options: LiveLinkCsvOptions = {}): Generator<string> {
  const fps = options.timecodeFps ?? 60;
  const start = take.startedAt;
  const startSeconds = start.getHours() * 3600 + start.getMinutes() * 60 + start.getSeconds() + start.getMilliseconds() / 1000;
  yield `${LIVE_LINK_CSV_HEADER.join(',')}\n`;
  for (let from = 0; from < take.frameCount; from += framesPerPart) {
    const rows: string[] = [];
    for (let i = from; i < Math.min(take.frameCount, from + framesPerPart); i++) {
      const frame = take.frameAt(i);
      if (!frame.arkit) {
        throw new TrackerError('invalid-input', 'This take has no ARKit weights (its face model has neither ARKit-named expressions nor an ARKit projection; a FLAME model made before import-flame wrote one needs importing again), so it has no Live Link Face CSV. Export JSON or glTF instead.');
      }
      const gaze = frame.eyes ?? eyeGaze(frame.arkit);
      const values = [
        ...frame.arkit,
        frame.pose.yaw, frame.pose.pitch, frame.pose.roll,
        gaze.left.yaw, gaze.left.pitch, 0,
        gaze.right.yaw, gaze.right.pitch, 0,
      ];
      rows.push(`${[timecode(startSeconds + frame.timeMs / 1000, fps), 61, ...values.map(format)].join(',')}\n`);
    }
    yield rows.join('');
  }
}

/** `HH:MM:SS:FF.fff` for a time of day in seconds (wrapping at midnight). */
export function timecode(seconds: number, fps: number): string {
  const day = ((seconds % 86400) + 86400) % 86400;
  const whole = Math.floor(day);
  const frames = (day - whole) * fps;
  const frame = Math.floor(frames);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(whole / 3600))}:${pad(Math.floor(whole / 60) % 60)}:${pad(whole % 60)}:${pad(frame)}.${String(Math.floor((frames - frame) * 1000)).padStart(3, '0')}`;
}

/** Up to 6 decimals, no exponent. */
function format(x: number): string {
  const s = (Math.round(x * 1e6) / 1e6).toFixed(6).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}
