/**
 * ARKit's 52 blendshape names in ARFaceAnchor / Live Link Face order: the order of every
 * ARKit-52 weight array this SDK reports or exports.
 */
export const ARKIT_BLENDSHAPES = [
  'eyeBlinkLeft', 'eyeLookDownLeft', 'eyeLookInLeft', 'eyeLookOutLeft', 'eyeLookUpLeft', 'eyeSquintLeft', 'eyeWideLeft',
  'eyeBlinkRight', 'eyeLookDownRight', 'eyeLookInRight', 'eyeLookOutRight', 'eyeLookUpRight', 'eyeSquintRight', 'eyeWideRight',
  'jawForward', 'jawRight', 'jawLeft', 'jawOpen',
  'mouthClose', 'mouthFunnel', 'mouthPucker', 'mouthRight', 'mouthLeft', 'mouthSmileLeft', 'mouthSmileRight',
  'mouthFrownLeft', 'mouthFrownRight', 'mouthDimpleLeft', 'mouthDimpleRight', 'mouthStretchLeft', 'mouthStretchRight',
  'mouthRollLower', 'mouthRollUpper', 'mouthShrugLower', 'mouthShrugUpper', 'mouthPressLeft', 'mouthPressRight',
  'mouthLowerDownLeft', 'mouthLowerDownRight', 'mouthUpperUpLeft', 'mouthUpperUpRight',
  'browDownLeft', 'browDownRight', 'browInnerUp', 'browOuterUpLeft', 'browOuterUpRight',
  'cheekPuff', 'cheekSquintLeft', 'cheekSquintRight', 'noseSneerLeft', 'noseSneerRight', 'tongueOut',
] as const;

export type ArkitBlendshape = (typeof ARKIT_BLENDSHAPES)[number];

/**
 * A sparse linear map from a model's coefficients to ARKit-52 weights:
 * arkit[row] = Σ weight · input[column] over the entries with that row, clamped to [0, 1]. The
 * input is the expression coefficients followed, for skinned models, by the joint rotations
 * (axis-angle, [joint][3], root first: `FaceFrame.jointRotations`).
 */
export interface ArkitMap {
  readonly row: Uint8Array;
  readonly column: Uint16Array;
  readonly weight: Float32Array;
}

/**
 * The map for a model whose expressions carry ARKit names. A name that ARKit splits no further
 * maps 1:1; a left/right pair where ARKit has one shape (`browInnerUpLeft`/`Right` →
 * `browInnerUp`, `cheekPuffLeft`/`Right` → `cheekPuff`) is averaged. Returns undefined when no
 * name matches (e.g. FLAME's PCA expressions).
 */
export function arkitMapFromNames(expressionNames: readonly string[]): ArkitMap | undefined {
  const rows: number[] = [], columns: number[] = [], weights: number[] = [];
  ARKIT_BLENDSHAPES.forEach((name, row) => {
    const exact = expressionNames.indexOf(name);
    if (exact >= 0) {
      rows.push(row); columns.push(exact); weights.push(1);
      return;
    }
    const sides = [`${name}Left`, `${name}Right`].map((n) => expressionNames.indexOf(n)).filter((i) => i >= 0);
    for (const column of sides) {
      rows.push(row); columns.push(column); weights.push(1 / sides.length);
    }
  });
  if (rows.length === 0) return undefined;
  return { row: Uint8Array.from(rows), column: Uint16Array.from(columns), weight: Float32Array.from(weights) };
}

/** Where ARKit row `row`'s shape is among MediaPipe's blendshape scores (`MEDIAPIPE_BLENDSHAPES`), −1 if MediaPipe does not score it. */
export function mediapipeScoreIndex(row: number): number {
  return (MEDIAPIPE_BLENDSHAPES as readonly string[]).indexOf(ARKIT_BLENDSHAPES[row]!);
}

/**
 * Pairs of ARKit shapes that move the same part of the face opposite ways: at most one of each is
 * active in a frame's weights (`separateAntagonists`). Not pairs, on purpose: jawOpen/mouthClose
 * (ARKit's mouthClose is the lips held shut while the jaw opens: it only occurs with jawOpen),
 * eyeSquint/eyeBlink (a squint closes the lid part way), browDown/browInnerUp (a worried frown
 * moves both).
 */
export const ARKIT_ANTAGONISTS: readonly (readonly [ArkitBlendshape, ArkitBlendshape])[] = [
  ['mouthSmileLeft', 'mouthFrownLeft'],
  ['mouthSmileRight', 'mouthFrownRight'],
  ['mouthPucker', 'mouthStretchLeft'],
  ['mouthPucker', 'mouthStretchRight'],
  ['mouthLeft', 'mouthRight'],
  ['jawLeft', 'jawRight'],
  ['eyeWideLeft', 'eyeSquintLeft'],
  ['eyeWideRight', 'eyeSquintRight'],
  ['eyeWideLeft', 'eyeBlinkLeft'],
  ['eyeWideRight', 'eyeBlinkRight'],
  ['eyeLookUpLeft', 'eyeLookDownLeft'],
  ['eyeLookUpRight', 'eyeLookDownRight'],
  ['eyeLookInLeft', 'eyeLookOutLeft'],
  ['eyeLookInRight', 'eyeLookOutRight'],
  ['browDownLeft', 'browOuterUpLeft'],
  ['browDownRight', 'browOuterUpRight'],
];

const ANTAGONIST_ROWS = ARKIT_ANTAGONISTS.map(([a, b]) => [ARKIT_BLENDSHAPES.indexOf(a), ARKIT_BLENDSHAPES.indexOf(b)] as const);

/**
 * Leaves only the net motion of each antagonist pair (`ARKIT_ANTAGONISTS`, in order): both lose
 * the smaller of the two, so one of them is 0 (a fit that explains a face with a smile and a
 * frown at 0.3 and 0.1 reads as a smile of 0.2). Continuous in the weights. In place; returns `weights`.
 */
export function separateAntagonists(weights: Float32Array): Float32Array {
  for (const [a, b] of ANTAGONIST_ROWS) {
    const common = Math.min(weights[a]!, weights[b]!);
    weights[a] = weights[a]! - common;
    weights[b] = weights[b]! - common;
  }
  return weights;
}

/**
 * A MediaPipe score less a margin, rescaled so that 1 stays 1: (score − margin) / (1 − margin),
 * negative below the margin. The blendshape priors' target (`FitWeights.blendshapeMargin`).
 */
export function scoreBeyondMargin(score: number, margin: number): number {
  return (score - margin) / (1 - margin);
}

/** ARKit-52 weights from expression coefficients (and joint rotations, for maps that read them), clamped to [0, 1]. */
export function applyArkitMap(map: ArkitMap, expression: ArrayLike<number>, jointRotations?: ArrayLike<number>, out = new Float32Array(ARKIT_BLENDSHAPES.length)): Float32Array {
  out.fill(0);
  const count = expression.length;
  for (let i = 0; i < map.row.length; i++) {
    const c = map.column[i]!;
    out[map.row[i]!] += map.weight[i]! * (c < count ? expression[c]! : (jointRotations?.[c - count] ?? 0));
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i]!));
  return out;
}

/**
 * MediaPipe FaceLandmarker's 52 blendshape categories, in its output order: `_neutral` and the
 * ARKit names without `tongueOut`.
 */
export const MEDIAPIPE_BLENDSHAPES = [
  '_neutral', 'browDownLeft', 'browDownRight', 'browInnerUp', 'browOuterUpLeft', 'browOuterUpRight', 'cheekPuff',
  'cheekSquintLeft', 'cheekSquintRight', 'eyeBlinkLeft', 'eyeBlinkRight', 'eyeLookDownLeft', 'eyeLookDownRight',
  'eyeLookInLeft', 'eyeLookInRight', 'eyeLookOutLeft', 'eyeLookOutRight', 'eyeLookUpLeft', 'eyeLookUpRight',
  'eyeSquintLeft', 'eyeSquintRight', 'eyeWideLeft', 'eyeWideRight', 'jawForward', 'jawLeft', 'jawOpen', 'jawRight',
  'mouthClose', 'mouthDimpleLeft', 'mouthDimpleRight', 'mouthFrownLeft', 'mouthFrownRight', 'mouthFunnel', 'mouthLeft',
  'mouthLowerDownLeft', 'mouthLowerDownRight', 'mouthPressLeft', 'mouthPressRight', 'mouthPucker', 'mouthRight',
  'mouthRollLower', 'mouthRollUpper', 'mouthShrugLower', 'mouthShrugUpper', 'mouthSmileLeft', 'mouthSmileRight',
  'mouthStretchLeft', 'mouthStretchRight', 'mouthUpperUpLeft', 'mouthUpperUpRight', 'noseSneerLeft', 'noseSneerRight',
] as const;
