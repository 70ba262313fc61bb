import { BufferAttribute, type BufferGeometry, type Material, type Mesh, type MeshPhysicalMaterial, Object3D, type SkinnedMesh, type Texture } from 'three';
import type { FaceFrame } from '../../core/FaceFrame.js';
import { axisAngleToMatrix, axisAngleToQuaternion } from '../../core/math/rotation.js';
import type { FaceModelEvaluator } from '../../core/model/FaceModelEvaluator.js';
import type { FaceModelExtras } from '../../core/model/faceModelSchema.js';
import { poseFeature } from '../../core/model/skinning.js';
import { EyeRig } from './EyeRig.js';
import { frameGaze } from '../../core/eyeGaze.js';
import { addFeatureColors, createFaceMaterials } from './faceMaterials.js';
import { FACE_REGIONS, faceRegions } from './faceRegions.js';
import type { LoadedFaceModel } from './loadFaceModel.js';

export interface FaceAvatarOptions {
  /** Dress the mesh in the built-in skin/eye/teeth materials (default true); false keeps the file's. */
  materials?: boolean;
  /** Start in overlay mode (see `setOverlay`). */
  overlay?: boolean;
}

const quaternion = new Float64Array(4);

/**
 * A face model as a three.js object that follows the tracker: `apply(frame)` sets the morph
 * targets (identity and expression), joint rotations (skinned models) and the head pose.
 *
 * Two modes:
 * - avatar (default): the head turns as the tracked head does, in place; put the avatar anywhere.
 * - overlay: the head also moves with the tracked translation, in the camera space of the video,
 *   so with a camera set up by `setCameraFromPinhole` (at the origin, or the avatar added to that
 *   camera) the mesh lands exactly on the face in the video drawn behind it.
 *
 * Sizes are in model units (`metersPerUnit`: 0.01 for the default model, which is in cm).
 * The avatar adopts `model.scene`; load the model once per avatar.
 */
export class FaceAvatar extends Object3D {
  readonly isFaceAvatar = true;
  /** The face mesh (morph targets, and a skeleton for skinned models). */
  readonly mesh: Mesh | SkinnedMesh;
  /** Carries the head pose; the model's glTF scene hangs below it. */
  readonly head = new Object3D();
  readonly extras: FaceModelExtras;
  readonly metersPerUnit: number;
  private overlay = false;
  private readonly evaluator?: FaceModelEvaluator;
  private readonly ownMaterials: Material[] = [];
  /** Turns the eyeballs of models whose expressions leave them still (the default model). */
  private eyes?: EyeRig;

  constructor(model: LoadedFaceModel, options: FaceAvatarOptions = {}) {
    super();
    this.name = `FaceAvatar(${model.extras.name})`;
    this.mesh = model.mesh;
    this.extras = model.extras;
    this.metersPerUnit = model.extras.metersPerUnit;
    if (model.evaluator) this.evaluator = model.evaluator;
    this.head.name = 'head';
    this.head.add(model.scene);
    this.add(this.head);
    if (options.materials !== false) this.dress();
    this.setOverlay(options.overlay ?? false);
  }

  /** Overlay mode on or off (see the class comment). */
  setOverlay(on: boolean): this {
    this.overlay = on;
    if (!on) this.head.position.set(0, 0, 0);
    return this;
  }

  get isOverlay(): boolean {
    return this.overlay;
  }

  /** Poses the avatar as in `frame`. */
  apply(frame: FaceFrame): void {
    const weights = this.mesh.morphTargetInfluences!;
    const { identity, expression } = this.extras.groups;
    copyWeights(weights, identity.start, identity.count, frame.identity);
    copyWeights(weights, expression.start, expression.count, frame.expression);
    if (this.evaluator && frame.jointRotations) this.applyJoints(frame, frame.jointRotations);
    const gaze = this.eyes && frameGaze(frame);
    if (gaze) this.eyes!.update(weights, gaze.left, gaze.right);
    const r = frame.pose.rotation;
    axisAngleToQuaternion(r[0], r[1], r[2], quaternion);
    this.head.quaternion.set(quaternion[0]!, quaternion[1]!, quaternion[2]!, quaternion[3]!);
    if (this.overlay) this.head.position.fromArray(frame.pose.translation);
  }

  /** Frees the geometry, materials, textures and skeleton; the avatar leaves its parent. */
  override dispose(): void {
    this.removeFromParent();
    this.traverse((o) => {
      const mesh = o as Mesh;
      if (!mesh.isMesh) return;
      mesh.geometry.dispose();
      for (const material of ([] as Material[]).concat(mesh.material)) disposeMaterial(material);
      (mesh as SkinnedMesh).skeleton?.dispose();
    });
    this.ownMaterials.forEach(disposeMaterial);
    super.dispose();
  }

  /**
   * Skinned models: joint rotations, the joint centres for this shape (they move with identity
   * and expression: the bones and their inverse bind matrices follow), and the pose correctives.
   */
  private applyJoints(frame: FaceFrame, rotations: Float32Array): void {
    const skeleton = this.evaluator!.model.skeleton!;
    const bones = (this.mesh as SkinnedMesh).skeleton.bones;
    const inverses = (this.mesh as SkinnedMesh).skeleton.boneInverses;
    const rest = this.evaluator!.restJoints({ identity: frame.identity, expression: frame.expression });
    const jointCount = skeleton.jointNames.length;
    const local = new Float64Array(9 * jointCount);
    for (let j = 0; j < jointCount; j++) {
      const p = skeleton.parents[j]!;
      const [x, y, z] = [rest[3 * j]!, rest[3 * j + 1]!, rest[3 * j + 2]!];
      if (p < 0) bones[j]!.position.set(x, y, z);
      else bones[j]!.position.set(x - rest[3 * p]!, y - rest[3 * p + 1]!, z - rest[3 * p + 2]!);
      inverses[j]!.makeTranslation(-x, -y, -z);
      const [ax, ay, az] = [rotations[3 * j]!, rotations[3 * j + 1]!, rotations[3 * j + 2]!];
      axisAngleToQuaternion(ax, ay, az, quaternion);
      bones[j]!.quaternion.set(quaternion[0]!, quaternion[1]!, quaternion[2]!, quaternion[3]!);
      axisAngleToMatrix(ax, ay, az, local.subarray(9 * j, 9 * j + 9));
    }
    const correctives = this.extras.groups.poseCorrectives;
    if (correctives) copyWeights(this.mesh.morphTargetInfluences!, correctives.start, correctives.count, poseFeature(local, jointCount));
  }

  /** Built-in materials, one per region of the model's layout (the whole mesh is skin without a table). */
  private dress(): void {
    const materials = createFaceMaterials();
    const geometry = this.mesh.geometry;
    const regions = faceRegions(this.extras, geometry.attributes.position!.count);
    if (regions && geometry.index) {
      groupTrianglesByRegion(geometry, regions);
      this.eyes = new EyeRig(geometry, regions, this.mesh.matrix);
      this.eyes.patch(materials.eye as MeshPhysicalMaterial);
      addFeatureColors(geometry, this.extras, this.mesh.matrix, regions);
      this.mesh.material = FACE_REGIONS.map((r) => materials[r]);
    } else {
      addFeatureColors(geometry, this.extras, this.mesh.matrix);
      this.mesh.material = materials.skin;
    }
    const used = new Set(([] as Material[]).concat(this.mesh.material));
    this.ownMaterials.push(...Object.values(materials).filter((m) => !used.has(m)));
  }
}

function copyWeights(weights: number[], start: number, count: number, values: ArrayLike<number>): void {
  const n = Math.min(count, values.length);
  for (let k = 0; k < n; k++) weights[start + k] = values[k]!;
}

/**
 * Reorders the triangles so that each region's are contiguous, one geometry group per region
 * (group index = region index, so `material[region]` draws it). A triangle belongs to the
 * region of its first vertex: regions are whole connected parts of the mesh.
 */
function groupTrianglesByRegion(geometry: BufferGeometry, regions: Uint8Array): void {
  const index = geometry.index!;
  const source = index.array;
  const triangleCount = source.length / 3;
  const counts = new Uint32Array(FACE_REGIONS.length);
  for (let t = 0; t < triangleCount; t++) counts[regions[source[3 * t]!]!]!++;
  const starts = new Uint32Array(FACE_REGIONS.length);
  for (let r = 1; r < starts.length; r++) starts[r] = starts[r - 1]! + counts[r - 1]!;
  const sorted = new (source.constructor as Uint32ArrayConstructor)(source.length);
  const next = Uint32Array.from(starts);
  for (let t = 0; t < triangleCount; t++) {
    const at = 3 * next[regions[source[3 * t]!]!]!++;
    sorted[at] = source[3 * t]!;
    sorted[at + 1] = source[3 * t + 1]!;
    sorted[at + 2] = source[3 * t + 2]!;
  }
  geometry.setIndex(new BufferAttribute(sorted, 1));
  geometry.clearGroups();
  for (let r = 0; r < FACE_REGIONS.length; r++) if (counts[r]) geometry.addGroup(3 * starts[r]!, 3 * counts[r]!, r);
}

function disposeMaterial(material: Material): void {
  for (const value of Object.values(material)) {
    if ((value as Texture | null)?.isTexture) (value as Texture).dispose();
  }
  material.dispose();
}
