import { BufferAttribute, type BufferGeometry, Matrix3, type Matrix4, type MeshPhysicalMaterial, Vector3 } from 'three';
import type { EyeRotation } from '../../core/eyeGaze.js';
import { FACE_REGIONS } from './faceRegions.js';

/**
 * The eyeballs of a mesh whose expressions move only the lids (ICT FaceKit's eyeLook shapes
 * leave the eyeballs still, as a rig would turn them): turns each eyeball about its centre on
 * the GPU, and paints iris and pupil on it.
 *
 * Each eye-region vertex gets `eyeDirection` (xyz: unit direction from its eye's centre in the
 * model's frame, which faces +Z; w: 1 left eye, 2 right eye). The centres move with identity and
 * expression, so they are tracked as the template centre plus each morph target's mean motion.
 */
export class EyeRig {
  readonly uniforms = {
    eyeCenter: { value: [new Vector3(), new Vector3()] },
    eyeRotation: { value: [new Matrix3(), new Matrix3()] },
  };
  /** Per eye: the template centre, then each morph target's mean delta (geometry space). */
  private readonly centre: Float64Array[];
  private readonly meanDeltas: Float64Array[];

  constructor(geometry: BufferGeometry, regions: Uint8Array, toModel: Matrix4) {
    const position = geometry.attributes.position!;
    const eyes: number[][] = [[], []];
    const p = new Vector3();
    for (let v = 0; v < position.count; v++) {
      if (FACE_REGIONS[regions[v]!] !== 'eye') continue;
      p.fromBufferAttribute(position, v).applyMatrix4(toModel);
      eyes[p.x >= 0 ? 0 : 1]!.push(v);
    }
    const morphs = geometry.morphAttributes.position ?? [];
    this.centre = eyes.map((vs) => meanOf(position, vs));
    this.meanDeltas = eyes.map((vs) => {
      const out = new Float64Array(3 * morphs.length);
      morphs.forEach((m, k) => out.set(meanOf(m, vs), 3 * k));
      return out;
    });
    const directions = new Float32Array(4 * position.count);
    const centre = new Vector3();
    eyes.forEach((vs, side) => {
      centre.fromArray(this.centre[side]!).applyMatrix4(toModel);
      for (const v of vs) {
        p.fromBufferAttribute(position, v).applyMatrix4(toModel).sub(centre).normalize().toArray(directions, 4 * v);
        directions[4 * v + 3] = side + 1;
      }
    });
    geometry.setAttribute('eyeDirection', new BufferAttribute(directions, 4));
  }

  /** Moves the centres with the morph weights and turns the eyes (left, right). */
  update(weights: ArrayLike<number>, left: EyeRotation, right: EyeRotation): void {
    [left, right].forEach((gaze, side) => {
      const c = this.centre[side]!, d = this.meanDeltas[side]!;
      let x = c[0]!, y = c[1]!, z = c[2]!;
      for (let k = 0; k < d.length / 3; k++) {
        const w = weights[k] ?? 0;
        if (w === 0) continue;
        x += w * d[3 * k]!;
        y += w * d[3 * k + 1]!;
        z += w * d[3 * k + 2]!;
      }
      this.uniforms.eyeCenter.value[side]!.set(x, y, z);
      setYawPitch(this.uniforms.eyeRotation.value[side]!, gaze.yaw, gaze.pitch);
    });
  }

  /** Makes `material` turn and paint the eyes (its shader reads this rig's attribute and uniforms). */
  patch(material: MeshPhysicalMaterial): void {
    material.onBeforeCompile = (shader) => {
      Object.assign(shader.uniforms, this.uniforms);
      shader.vertexShader = shader.vertexShader
        .replace('#include <common>', `#include <common>\n${VERTEX_DECLARATIONS}`)
        .replace('#include <morphnormal_vertex>', `#include <morphnormal_vertex>\n${VERTEX_NORMAL}`)
        .replace('#include <morphtarget_vertex>', `#include <morphtarget_vertex>\n${VERTEX_POSITION}`);
      shader.fragmentShader = shader.fragmentShader
        .replace('#include <common>', '#include <common>\nvarying vec3 vEyeDirection;')
        .replace('#include <color_fragment>', `#include <color_fragment>\n${FRAGMENT_IRIS}`);
    };
  }
}

/** R = Ry(yaw)·Rx(pitch), the eyes' convention (see `eyeGaze`). Matrix3.set takes rows. */
function setYawPitch(m: Matrix3, yaw: number, pitch: number): void {
  const cy = Math.cos(yaw), sy = Math.sin(yaw), cp = Math.cos(pitch), sp = Math.sin(pitch);
  m.set(cy, sy * sp, sy * cp, 0, cp, -sp, -sy, cy * sp, cy * cp);
}

function meanOf(attribute: BufferGeometry['attributes'][string], vertices: readonly number[]): Float64Array {
  const out = new Float64Array(3);
  for (const v of vertices) {
    out[0]! += attribute.getX(v);
    out[1]! += attribute.getY(v);
    out[2]! += attribute.getZ(v);
  }
  return out.map((s) => s / Math.max(1, vertices.length));
}

const VERTEX_DECLARATIONS = `
attribute vec4 eyeDirection;
uniform vec3 eyeCenter[2];
uniform mat3 eyeRotation[2];
varying vec3 vEyeDirection;`;

// After the morphs, before skinning: the eyeball turns about its (morphed) centre.
const VERTEX_NORMAL = `
int eyeSide = int(eyeDirection.w + 0.5) - 1;
mat3 eyeTurn = eyeSide == 0 ? eyeRotation[0] : eyeSide == 1 ? eyeRotation[1] : mat3(1.0);
objectNormal = eyeTurn * objectNormal;
vEyeDirection = eyeDirection.xyz;`;

const VERTEX_POSITION = `
if (eyeSide >= 0) {
  vec3 eyeC = eyeSide == 0 ? eyeCenter[0] : eyeCenter[1];
  transformed = eyeC + eyeTurn * (transformed - eyeC);
}`;

// The angle off the eye's forward axis (+Z) picks sclera, iris (radial fibres, a darker limbal
// ring) or pupil; radii as sines of that angle.
const FRAGMENT_IRIS = `
{
  vec3 d = normalize(vEyeDirection);
  float r = d.z > 0.0 ? length(d.xy) : 1.0;
  const float irisR = 0.46, pupilR = 0.17;
  float a = atan(d.y, d.x);
  float fibres = 0.8 + 0.2 * sin(a * 37.0 + 9.0 * r) * sin(a * 23.0 - 13.0 * r);
  vec3 iris = mix(vec3(0.20, 0.12, 0.06), vec3(0.42, 0.28, 0.14), smoothstep(pupilR, irisR, r)) * fibres;
  iris *= 1.0 - 0.6 * smoothstep(irisR - 0.08, irisR, r);
  diffuseColor.rgb = mix(diffuseColor.rgb, iris, 1.0 - smoothstep(irisR - 0.01, irisR + 0.015, r));
  diffuseColor.rgb = mix(diffuseColor.rgb, vec3(0.01), 1.0 - smoothstep(pupilR - 0.01, pupilR + 0.01, r));
}`;
