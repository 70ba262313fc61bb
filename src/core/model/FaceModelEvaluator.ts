import type { FaceModel } from './FaceModel.js';
import { embeddedBasis, meshBasis, type PointBasis } from './PointBasis.js';
import { applySkinning, poseFeature, restJointPositions, skinningTransforms } from './skinning.js';

/** The model's coefficients. Missing entries count as zero. */
export interface FaceCoefficients {
  /** Identity (shape) coefficients, in units of the basis' std-normalized directions. */
  readonly identity?: ArrayLike<number>;
  /** Expression coefficients (ARKit-named models: weights in [0, 1]). */
  readonly expression?: ArrayLike<number>;
  /** Axis-angle rotation of every joint, radians, [jointCount][3] (skinned models). */
  readonly jointRotations?: ArrayLike<number>;
}

/**
 * Evaluates a face model: v = LBS(T + S·β + E·ψ + P·(R(θ)−I), J(β, ψ), θ, W), in model space
 * (the head pose is applied by the caller). For models without a skeleton, LBS and P vanish.
 */
export class FaceModelEvaluator {
  readonly model: FaceModel;
  /** The full mesh as a basis. */
  readonly mesh: PointBasis;
  /** Joint rest positions as a linear function of the coefficients ([groups][jointCount*3]). */
  private readonly jointBasis?: { base: Float64Array; identity: Float64Array; expression: Float64Array };

  constructor(model: FaceModel) {
    this.model = model;
    this.mesh = meshBasis(model);
    if (model.skeleton) {
      const j3 = model.skeleton.jointNames.length * 3;
      const n3 = model.vertexCount * 3;
      const regress = (deltas: Float32Array, count: number) => {
        const out = new Float64Array(count * j3);
        for (let k = 0; k < count; k++) out.set(restJointPositions(model, deltas.subarray(k * n3, (k + 1) * n3)), k * j3);
        return out;
      };
      this.jointBasis = {
        base: restJointPositions(model, model.template),
        identity: regress(model.identity.deltas, model.identity.names.length),
        expression: regress(model.expression.deltas, model.expression.names.length),
      };
    }
  }

  /** A cheap basis for points embedded on the surface (e.g. `model.mediapipe478`). */
  embedded(embedding: NonNullable<FaceModel['mediapipe478']>): PointBasis {
    return embeddedBasis(this.model, embedding);
  }

  /** All vertices, posed: [vertexCount][3]. */
  evaluateMesh(coefficients: FaceCoefficients, out?: Float32Array): Float32Array {
    return this.evaluate(this.mesh, coefficients, out);
  }

  /** The points of `basis` under the given coefficients: [count][3], model units. */
  evaluate(basis: PointBasis, coefficients: FaceCoefficients, out: Float32Array = new Float32Array(basis.count * 3)): Float32Array {
    out.set(basis.base);
    addLinear(out, basis.identity, coefficients.identity);
    addLinear(out, basis.expression, coefficients.expression);
    const skeleton = this.model.skeleton;
    if (skeleton && this.jointBasis) {
      const jointCount = skeleton.jointNames.length;
      const rotations = coefficients.jointRotations ?? new Float64Array(jointCount * 3);
      const rest = this.restJoints(coefficients);
      const { transforms, localRotations } = skinningTransforms(skeleton, rest, rotations);
      if (basis.pose) addLinear(out, basis.pose, poseFeature(localRotations, jointCount));
      applySkinning(out, basis.skinWeights!, jointCount, transforms);
    }
    return out;
  }

  /** Joint rest positions for the given shape (before posing), [jointCount][3]; empty without a skeleton. */
  restJoints(coefficients: FaceCoefficients): Float64Array {
    if (!this.jointBasis) return new Float64Array(0);
    const rest = Float64Array.from(this.jointBasis.base);
    addLinear(rest, this.jointBasis.identity, coefficients.identity);
    addLinear(rest, this.jointBasis.expression, coefficients.expression);
    return rest;
  }
}

/** out += Σ_k c_k · basis[k] (rows of length out.length); zero coefficients cost nothing. */
export function addLinear(out: Float32Array | Float64Array, basis: ArrayLike<number>, coefficients: ArrayLike<number> | undefined): void {
  if (!coefficients) return;
  const n = out.length;
  const groups = Math.min(coefficients.length, basis.length / n);
  const rows: number[] = [];
  for (let k = 0; k < groups; k++) if (coefficients[k] !== 0) rows.push(k);
  // Eight rows per sweep: an eighth of the loads and stores of `out` (2–2.5x faster than one row at a time).
  let j = 0;
  for (; j + 8 <= rows.length; j += 8) {
    const k0 = rows[j]!, k1 = rows[j + 1]!, k2 = rows[j + 2]!, k3 = rows[j + 3]!, k4 = rows[j + 4]!, k5 = rows[j + 5]!, k6 = rows[j + 6]!, k7 = rows[j + 7]!;
    const c0 = coefficients[k0]!, c1 = coefficients[k1]!, c2 = coefficients[k2]!, c3 = coefficients[k3]!;
    const c4 = coefficients[k4]!, c5 = coefficients[k5]!, c6 = coefficients[k6]!, c7 = coefficients[k7]!;
    const o0 = k0 * n, o1 = k1 * n, o2 = k2 * n, o3 = k3 * n, o4 = k4 * n, o5 = k5 * n, o6 = k6 * n, o7 = k7 * n;
    for (let i = 0; i < n; i++) {
      out[i] +=
        c0 * basis[o0 + i]! + c1 * basis[o1 + i]! + c2 * basis[o2 + i]! + c3 * basis[o3 + i]! +
        c4 * basis[o4 + i]! + c5 * basis[o5 + i]! + c6 * basis[o6 + i]! + c7 * basis[o7 + i]!;
    }
  }
  for (; j < rows.length; j++) {
    const c = coefficients[rows[j]!]!, offset = rows[j]! * n;
    for (let i = 0; i < n; i++) out[i] += c * basis[offset + i]!;
  }
}
