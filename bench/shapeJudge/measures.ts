/**
 * Geometric measures of ARKit shapes that do not come from MediaPipe's blendshape head, for
 * `npm run bench -- shapeJudge`: from face-api's 68 Multi-PIE points (an independent detector)
 * for the lids, mouth and jaw, and from MediaPipe's own iris points (refine landmarks 468–477:
 * a different signal from its blendshape scores) for the gaze shapes, which face-api's points do
 * not see. Each measure grows with its shape.
 *
 * Roll and scale are taken out by reading the points in a face frame: origin midway between the
 * outer eye corners (36, 45), x along 36 → 45 (towards the subject's left, whether or not the
 * image is mirrored), y perpendicular, pointing down the face, unit the outer-eye-corner
 * distance. Ratios inside one eye or one mouth (aperture, roundness) need no frame. Yaw and pitch
 * still change these 2D measures: `shapeJudge` partials them out (bench/shapeJudge/statistics.ts).
 * Pure functions on flat [x0, y0, …] px arrays.
 */
import type { ArkitBlendshape } from '../../src/core/arkit.js';

export type Points = ArrayLike<number>;
type Side = 'Left' | 'Right';

/** Point `i` of `points` in the face frame of 68 points `face` (outer-eye-corner units). */
function inFace(face: Points, points: Points, i: number): [number, number] {
  const ax = face[72]!, ay = face[73]!, bx = face[90]!, by = face[91]!; // points 36, 45
  const scale = Math.hypot(bx - ax, by - ay), ux = (bx - ax) / scale, uy = (by - ay) / scale;
  const dx = points[2 * i]! - (ax + bx) / 2, dy = points[2 * i + 1]! - (ay + by) / 2;
  // y = x rotated +90° in image coordinates (y down): down the face.
  return [(dx * ux + dy * uy) / scale, (-dx * uy + dy * ux) / scale];
}

const distance = (p: Points, i: number, j: number) => Math.hypot(p[2 * i]! - p[2 * j]!, p[2 * i + 1]! - p[2 * j + 1]!);

/**
 * The 68 points of each side's eye (Multi-PIE: 36–41 is the subject's right eye, 42–47 the left;
 * the outer corner first, then the upper lid outer → inner, the inner corner, the lower lid inner → outer
 * for the right eye, mirrored for the left).
 */
const EYE68: Record<Side, { corners: [number, number]; upper: [number, number]; lower: [number, number] }> = {
  Right: { corners: [36, 39], upper: [37, 38], lower: [41, 40] },
  Left: { corners: [45, 42], upper: [44, 43], lower: [46, 47] },
};

/** Eye aperture: mean lid-to-lid height over the corner-to-corner width (the eye aspect ratio). */
export function eyeAperture(p: Points, side: Side): number {
  const { corners, upper, lower } = EYE68[side];
  return (distance(p, upper[0], lower[0]) + distance(p, upper[1], lower[1])) / 2 / distance(p, corners[0], corners[1]);
}

/** The lower lid's rise: how far above the corners' line its points are, over the eye's width. */
export function lowerLidRaise(p: Points, side: Side): number {
  const { corners, lower } = EYE68[side];
  const y = (i: number) => inFace(p, p, i)[1];
  return ((y(corners[0]) + y(corners[1])) / 2 - (y(lower[0]) + y(lower[1])) / 2) / (distance(p, corners[0], corners[1]) / distance(p, 36, 45));
}

/** Mouth corner (48: the subject's right, 54: left) and upper-lip point (50, 52) of each side. */
const MOUTH_CORNER: Record<Side, number> = { Right: 48, Left: 54 };
const UPPER_LIP: Record<Side, number> = { Right: 50, Left: 52 };

/** A smile: the mouth corner raised above the upper lip's centre (51) plus pulled out from the nose line (27–33). */
export function cornerRaiseAndPull(p: Points, side: Side): number {
  const [cx, cy] = inFace(p, p, MOUTH_CORNER[side]), [, lipY] = inFace(p, p, 51);
  const noseX = (inFace(p, p, 27)[0] + inFace(p, p, 33)[0]) / 2;
  return lipY - cy + (side === 'Left' ? cx - noseX : noseX - cx);
}

/** Upper lip raised: the upper lip (50 or 52) to the nose base (33), negated (closer is more). */
export function upperLipToNose(p: Points, side: Side): number {
  return -(inFace(p, p, UPPER_LIP[side])[1] - inFace(p, p, 33)[1]);
}

/** The lower lip pushed up from the chin: the lower lip's centre (57) above the chin (8). */
export function lowerLipAboveChin(p: Points): number {
  return inFace(p, p, 8)[1] - inFace(p, p, 57)[1];
}

/** The lips rounded: the inner opening's height (62–66) over its width (60–64). */
export function innerLipRoundness(p: Points): number {
  return distance(p, 62, 66) / distance(p, 60, 64);
}

/** Mouth width (48–54), negated (narrower is more). */
export function mouthNarrowing(p: Points): number {
  return -distance(p, 48, 54) / distance(p, 36, 45);
}

/**
 * The jaw shifted towards the subject's left: the lower lip's centre (57) left of the upper lip's
 * (51). Inner points: the chin (8) is a contour point, which face-api places by the view (on ex2,
 * turned 20–35°, its offset from the nose line followed the yaw and no jaw score). The upper lip
 * as reference takes out a sideways mouth (mouthLeft/Right moves both lips).
 */
export function lowerLipTowardsLeft(p: Points): number {
  return inFace(p, p, 57)[0] - inFace(p, p, 51)[0];
}

/** The jaw opened: the inner lips' gap (62–66) over the outer-eye-corner distance. */
export function innerLipGap(p: Points): number {
  return distance(p, 62, 66) / distance(p, 36, 45);
}

/** MediaPipe's 478 points of each side's eye: the iris centre and the outer and inner corners. */
const IRIS478: Record<Side, { iris: number; outer: number; inner: number }> = {
  Right: { iris: 468, outer: 33, inner: 133 },
  Left: { iris: 473, outer: 263, inner: 362 },
};

/**
 * Where the iris centre sits in the eye opening (MediaPipe's 478 points): along the corner line
 * from the inner corner (0) to the outer (1), and across it (over the eye's width, > 0 below the
 * line: down the face).
 */
export function irisInEye(p: Points, side: Side): { out: number; down: number } {
  const { iris, outer, inner } = IRIS478[side];
  const ix = p[2 * inner]!, iy = p[2 * inner + 1]!;
  const ex = p[2 * outer]! - ix, ey = p[2 * outer + 1]! - iy, width2 = ex * ex + ey * ey;
  const dx = p[2 * iris]! - ix, dy = p[2 * iris + 1]! - iy;
  // The normal pointing down the face: on the subject's right eye the corner line runs inner → outer
  // towards the image's left in an unmirrored frame, so the sign follows from the eye's side.
  const across = (ex * dy - ey * dx) / width2;
  return { out: (dx * ex + dy * ey) / width2, down: side === 'Left' ? across : -across };
}

/** Which points a measure reads: face-api's 68 or MediaPipe's 478. */
export type MeasureSource = 'faceapi68' | 'mediapipe478';

export interface ShapeMeasure {
  source: MeasureSource;
  /** What it measures, for the report. */
  label: string;
  value: (points: Points) => number;
  /** Other motions that change the value, to partial out with the head pose (the jaw's opening moves the mouth corners). */
  controls?: (points: Points) => number[];
}

const faceapi = (label: string, value: (p: Points) => number, controls?: (p: Points) => number[]): ShapeMeasure => ({ source: 'faceapi68', label, value, ...(controls && { controls }) });
/** The inner lips' gap: the jaw's opening, which narrows the mouth and lowers its corners. */
const lipGapOut = (p: Points) => [innerLipGap(p)];
const iris = (label: string, value: (p: Points) => number): ShapeMeasure => ({ source: 'mediapipe478', label, value });
const sides = ['Left', 'Right'] as const;

/** The independent measure of each ARKit shape that has one (a shape family's, per side). */
export const SHAPE_MEASURES: Partial<Record<ArkitBlendshape, ShapeMeasure>> = Object.fromEntries([
  ...sides.flatMap((s) => [
    [`eyeBlink${s}`, faceapi('eye aperture (−)', (p) => -eyeAperture(p, s))],
    [`eyeSquint${s}`, faceapi('lower-lid raise', (p) => lowerLidRaise(p, s))],
    [`eyeLookOut${s}`, iris('iris outwards in the eye (MediaPipe 468–477)', (p) => irisInEye(p, s).out)],
    [`eyeLookIn${s}`, iris('iris inwards in the eye (MediaPipe 468–477)', (p) => -irisInEye(p, s).out)],
    [`eyeLookDown${s}`, iris('iris down in the eye (MediaPipe 468–477)', (p) => irisInEye(p, s).down)],
    [`eyeLookUp${s}`, iris('iris up in the eye (MediaPipe 468–477)', (p) => -irisInEye(p, s).down)],
    [`mouthSmile${s}`, faceapi('mouth corner raised + pulled out (lip gap out)', (p) => cornerRaiseAndPull(p, s), lipGapOut)],
    [`mouthUpperUp${s}`, faceapi('upper lip to nose base (−)', (p) => upperLipToNose(p, s))],
  ]),
  ['jawLeft', faceapi("lower lip towards the subject's left of the upper", lowerLipTowardsLeft)],
  ['jawRight', faceapi("lower lip towards the subject's right of the upper", (p) => -lowerLipTowardsLeft(p))],
  ['jawOpen', faceapi('inner lip gap', innerLipGap)],
  ['mouthFunnel', faceapi('inner lip roundness (lip gap out)', innerLipRoundness, lipGapOut)],
  ['mouthPucker', faceapi('mouth width (−, lip gap out)', mouthNarrowing, lipGapOut)],
  ['mouthShrugLower', faceapi('lower lip above chin', lowerLipAboveChin)],
]);
