import type { ArkitMap } from '../arkit.js';
import type { ArkitProjection } from '../arkitProjection.js';

/**
 * The in-memory face model: what a face-model `.glb` holds, as typed arrays.
 *
 * Every model (the bundled ICT default, an imported FLAME) has this one shape. Positions are in
 * the model's own units (`units`: 'cm' for ICT, 'm' for FLAME; `metersPerUnit` converts).
 * Vertices are the glTF vertices, i.e. split at UV seams; `sourceVertex` maps them back to the
 * original model's vertex indices where the split changed them.
 */

/** A group of linear blendshapes: `deltas[k * vertexCount * 3 + v * 3 + c]`. */
export interface BlendshapeGroup {
  readonly names: readonly string[];
  /** [count][vertexCount][3], model units per unit coefficient. */
  readonly deltas: Float32Array;
  /**
   * Prior standard deviation of each coefficient (length `names.length`): the fitter's Tikhonov
   * prior is (c / std)². PCA-normalized bases have std 1.
   */
  readonly std: Float32Array;
  /** Inclusive bounds of each coefficient where the model defines them (ARKit weights: [0, 1]). */
  readonly min?: Float32Array;
  readonly max?: Float32Array;
}

/** A point on the mesh as a triangle of vertex indices and barycentric weights. */
export interface SurfaceEmbedding {
  /** [count][3] vertex indices. */
  readonly vertices: Uint32Array;
  /** [count][3] barycentric weights summing to 1. */
  readonly weights: Float32Array;
}

export interface Skeleton {
  /** e.g. FLAME: ['root', 'neck', 'jaw', 'eye_L', 'eye_R']. */
  readonly jointNames: readonly string[];
  /** Parent joint index, -1 for the root. Parents precede children. */
  readonly parents: Int32Array;
  /**
   * Sparse joint regressor: joint rest positions J = R · (template + identity + expression
   * deltas). Triplets (joint, vertex, weight).
   */
  readonly regressor: { readonly joint: Uint32Array; readonly vertex: Uint32Array; readonly weight: Float32Array };
  /** Skinning: `influences` joints per vertex, [vertexCount][influences]. */
  readonly influences: number;
  readonly skinJoints: Uint16Array;
  readonly skinWeights: Float32Array;
}

export interface FaceModel {
  readonly name: string;
  /** 'cm' | 'm' | 'mm'. */
  readonly units: string;
  readonly metersPerUnit: number;
  /** Names the UV parameterization; a ViT prior must name the same layout. */
  readonly uvLayout: string;
  readonly licence: string;
  readonly source: string;

  readonly vertexCount: number;
  /** [vertexCount][3] rest positions (model units). Y up, face looking down +Z. */
  readonly template: Float32Array;
  /** [vertexCount][2] texture coordinates, glTF convention (v down). */
  readonly uvs: Float32Array;
  /** [triangleCount][3]. */
  readonly triangles: Uint32Array;
  /** Original vertex index of each (seam-split) vertex; absent when identical. */
  readonly sourceVertex?: Uint32Array;

  readonly identity: BlendshapeGroup;
  readonly expression: BlendshapeGroup;
  /** Pose correctives (FLAME posedirs): coefficients are the entries of R(θ_j) − I of every non-root joint, row-major. */
  readonly poseCorrectives?: BlendshapeGroup;
  readonly skeleton?: Skeleton;

  /** MediaPipe FaceLandmarker's 478 points embedded on this mesh. */
  readonly mediapipe478?: SurfaceEmbedding;
  /** The 68 Multi-PIE (iBUG 300-W) landmarks. */
  readonly multipie68?: SurfaceEmbedding;
  /** Vertices the dense fit uses (the face area). */
  readonly fittingRegion: Uint32Array;
  /**
   * ARKit-52 weights for models whose expressions are not ARKit-named (FLAME; for those that are,
   * see `arkitMapFromNames`): rows read linearly off the coefficients and joints (FLAME: the
   * eyeLooks from the eye joints), and rows solved as the bounded combination of ARKit shapes
   * closest to the fit.
   */
  readonly arkitMap?: ArkitMap;
  readonly arkitProjection?: ArkitProjection;
}

/** Number of pose-corrective coefficients for a skeleton: 9 per non-root joint. */
export function poseCorrectiveCount(skeleton: Skeleton): number {
  return 9 * (skeleton.jointNames.length - 1);
}

/** What a tracker reports of the model it fits (`FaceTrackerInfo.model`): names and sizes, no geometry. */
export interface FaceModelInfo {
  name: string;
  /** Length unit of positions and translations: 'cm', 'm' or 'mm'. */
  units: string;
  metersPerUnit: number;
  uvLayout: string;
  vertexCount: number;
  identityCount: number;
  /** Order of `FaceFrame.expression`. */
  expressionNames: string[];
  /** Skinned models only: order of `FaceFrame.jointRotations`. */
  jointNames?: string[];
  triangleCount: number;
}

export function describeFaceModel(model: FaceModel): FaceModelInfo {
  return {
    name: model.name,
    units: model.units,
    metersPerUnit: model.metersPerUnit,
    uvLayout: model.uvLayout,
    vertexCount: model.vertexCount,
    identityCount: model.identity.names.length,
    expressionNames: [...model.expression.names],
    ...(model.skeleton ? { jointNames: [...model.skeleton.jointNames] } : {}),
    triangleCount: model.triangles.length / 3,
  };
}
