/**
 * The `extras.pixel3dmm` block of a face-model `.glb` (on the glTF mesh): what glTF has no slot
 * for. Morph targets carry the blendshapes in group order (identity, expression, pose
 * correctives); `extras.targetNames` names them for three.js's `morphTargetDictionary`.
 */
export const FACE_MODEL_FORMAT = 'pixel3dmm-face-model';
export const FACE_MODEL_VERSION = 1;

export interface GroupExtras {
  /** Index of the group's first morph target. */
  start: number;
  count: number;
  std: number[];
  min?: number[];
  max?: number[];
}

export interface EmbeddingExtras {
  vertices: number[];
  weights: number[];
}

export interface FaceModelExtras {
  format: typeof FACE_MODEL_FORMAT;
  version: number;
  name: string;
  units: string;
  metersPerUnit: number;
  uvLayout: string;
  licence: string;
  source: string;
  groups: { identity: GroupExtras; expression: GroupExtras; poseCorrectives?: GroupExtras };
  /** Skin weights live in JOINTS_n / WEIGHTS_n; joint nodes mirror this for three.js. */
  skeleton?: {
    jointNames: string[];
    parents: number[];
    influences: number;
    regressor: { joint: number[]; vertex: number[]; weight: number[] };
  };
  mediapipe478?: EmbeddingExtras;
  multipie68?: EmbeddingExtras;
  fittingRegion: number[];
  sourceVertex?: number[];
  /** See `FaceModel.arkitMap`. */
  arkitMap?: { row: number[]; column: number[]; weight: number[] };
  /** See `FaceModel.arkitProjection`; matrices row-major. */
  arkitProjection?: { rows: number[]; gram: number[]; basis: number[]; shapes: number[]; eyeMetric: number[]; otherMetric: number[] };
}
