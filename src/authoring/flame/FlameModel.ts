/**
 * A FLAME model as its pickle defines it (vertex indices are FLAME's own 5023), validated and
 * as flat float64 arrays in C order. Units: metres.
 */
export interface FlameModel {
  readonly vertexCount: number;
  /** [vertexCount][3]. */
  readonly template: Float64Array;
  /** [vertexCount][3][componentCount]: shape components, then expression components. */
  readonly shapedirs: Float64Array;
  readonly componentCount: number;
  /** [vertexCount][3][9 · (jointCount − 1)]: pose correctives, coefficient (j−1)·9 + row·3 + col of R_j − I. */
  readonly posedirs: Float64Array;
  /** [vertexCount][jointCount] skin weights. */
  readonly weights: Float64Array;
  /** Parent joint of each joint, −1 for the root; parents precede children. */
  readonly parents: Int32Array;
  /** J_regressor's nonzero entries: joint rest position j = Σ weight · vertex. */
  readonly regressor: { readonly joint: Uint32Array; readonly vertex: Uint32Array; readonly weight: Float64Array };
  /** [triangleCount][3]. */
  readonly faces: Uint32Array;
}

/** FLAME's joints in its kintree order. */
export const FLAME_JOINT_NAMES = ['root', 'neck', 'jaw', 'eye_L', 'eye_R'] as const;

/** FLAME 2020 and 2023 split shapedirs into 300 identity and 100 expression components. */
export const FLAME_SHAPE_COMPONENTS = 300;
