import { ARKIT_BLENDSHAPES, type ArkitBlendshape } from '../core/arkit.js';

/**
 * Eye rotations read off ARKit's eyeLook weights, for models and formats that want angles
 * (the avatar's eyeballs, Live Link Face's eye columns). A weight of 1 is taken as the eye
 * turned fully: `EYE_YAW_MAX_RAD` sideways, `EYE_PITCH_MAX_RAD` up or down (typical human
 * ranges; ARKit does not publish its scale). An estimate, not a measurement.
 */
export const EYE_YAW_MAX_RAD = (30 * Math.PI) / 180;
export const EYE_PITCH_MAX_RAD = (25 * Math.PI) / 180;

/**
 * One eye's rotation, radians, with the head pose's conventions (the model faces +Z, +X is the
 * subject's left): yaw about +Y (> 0: looking towards the subject's left), pitch about +X
 * (> 0: looking down); R = Ry(yaw)·Rx(pitch).
 */
export interface EyeRotation {
  yaw: number;
  pitch: number;
}

const w = (arkit: ArrayLike<number>, name: ArkitBlendshape) => arkit[ARKIT_BLENDSHAPES.indexOf(name)]!;

/** Both eyes' rotations from ARKit-52 weights (`ARKIT_BLENDSHAPES` order). */
export function eyeGaze(arkit: ArrayLike<number>): { left: EyeRotation; right: EyeRotation } {
  return {
    left: {
      yaw: (w(arkit, 'eyeLookOutLeft') - w(arkit, 'eyeLookInLeft')) * EYE_YAW_MAX_RAD,
      pitch: (w(arkit, 'eyeLookDownLeft') - w(arkit, 'eyeLookUpLeft')) * EYE_PITCH_MAX_RAD,
    },
    right: {
      yaw: (w(arkit, 'eyeLookInRight') - w(arkit, 'eyeLookOutRight')) * EYE_YAW_MAX_RAD,
      pitch: (w(arkit, 'eyeLookDownRight') - w(arkit, 'eyeLookUpRight')) * EYE_PITCH_MAX_RAD,
    },
  };
}
