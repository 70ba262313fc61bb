import type { FaceModel, SurfaceEmbedding } from './FaceModel.js';

/**
 * A set of points that move linearly with the model's coefficients before skinning: mesh
 * vertices, a subset of them, or points embedded in triangles (landmarks). Evaluating a few
 * hundred points this way costs a fraction of the full mesh.
 */
export interface PointBasis {
  readonly count: number;
  /** [count][3] rest positions. */
  readonly base: Float32Array;
  /** [identityCount][count][3]. */
  readonly identity: Float32Array;
  /** [expressionCount][count][3]. */
  readonly expression: Float32Array;
  /** [poseCorrectiveCount][count][3], skinned models only. */
  readonly pose?: Float32Array;
  /** [count][jointCount] dense skin weights, skinned models only. */
  readonly skinWeights?: Float32Array;
}

/** The whole mesh as a basis (views into the model, no copies). */
export function meshBasis(model: FaceModel): PointBasis {
  const basis: { -readonly [K in keyof PointBasis]: PointBasis[K] } = {
    count: model.vertexCount,
    base: model.template,
    identity: model.identity.deltas,
    expression: model.expression.deltas,
  };
  if (model.poseCorrectives) basis.pose = model.poseCorrectives.deltas;
  if (model.skeleton) basis.skinWeights = denseSkinWeights(model, identityEmbedding(model.vertexCount));
  return basis;
}

/** Points given as barycentric combinations of vertices; a vertex subset is the special case of weight 1. */
export function embeddedBasis(model: FaceModel, embedding: SurfaceEmbedding): PointBasis {
  const count = embedding.vertices.length / 3;
  const n3 = model.vertexCount * 3;
  const gather = (src: Float32Array, groups: number): Float32Array => {
    const out = new Float32Array(groups * count * 3);
    for (let g = 0; g < groups; g++) {
      const srcOffset = g * n3, dstOffset = g * count * 3;
      for (let p = 0; p < count; p++) {
        for (let c = 0; c < 3; c++) {
          let acc = 0;
          for (let k = 0; k < 3; k++) acc += embedding.weights[3 * p + k]! * src[srcOffset + 3 * embedding.vertices[3 * p + k]! + c]!;
          out[dstOffset + 3 * p + c] = acc;
        }
      }
    }
    return out;
  };
  const basis: { -readonly [K in keyof PointBasis]: PointBasis[K] } = {
    count,
    base: gather(model.template, 1),
    identity: gather(model.identity.deltas, model.identity.names.length),
    expression: gather(model.expression.deltas, model.expression.names.length),
  };
  if (model.poseCorrectives) basis.pose = gather(model.poseCorrectives.deltas, model.poseCorrectives.names.length);
  // Blending the corners' skin weights is exact for a vertex and a close approximation inside a
  // triangle (FLAME's weights vary smoothly across the face).
  if (model.skeleton) basis.skinWeights = denseSkinWeights(model, embedding);
  return basis;
}

/** A basis over the given mesh vertices. */
export function vertexBasis(model: FaceModel, vertices: ArrayLike<number>): PointBasis {
  const emb = new Uint32Array(vertices.length * 3);
  const weights = new Float32Array(vertices.length * 3);
  for (let i = 0; i < vertices.length; i++) {
    emb.fill(vertices[i]!, 3 * i, 3 * i + 3);
    weights[3 * i] = 1;
  }
  return embeddedBasis(model, { vertices: emb, weights });
}

function identityEmbedding(vertexCount: number): SurfaceEmbedding {
  const vertices = new Uint32Array(vertexCount * 3);
  const weights = new Float32Array(vertexCount * 3);
  for (let v = 0; v < vertexCount; v++) {
    vertices.fill(v, 3 * v, 3 * v + 3);
    weights[3 * v] = 1;
  }
  return { vertices, weights };
}

function denseSkinWeights(model: FaceModel, embedding: SurfaceEmbedding): Float32Array {
  const s = model.skeleton!;
  const jointCount = s.jointNames.length;
  const count = embedding.vertices.length / 3;
  const out = new Float32Array(count * jointCount);
  for (let p = 0; p < count; p++) {
    for (let k = 0; k < 3; k++) {
      const b = embedding.weights[3 * p + k]!;
      if (b === 0) continue;
      const v = embedding.vertices[3 * p + k]!;
      for (let i = 0; i < s.influences; i++) {
        out[p * jointCount + s.skinJoints[v * s.influences + i]!] += b * s.skinWeights[v * s.influences + i]!;
      }
    }
  }
  return out;
}
