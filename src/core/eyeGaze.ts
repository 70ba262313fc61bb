import { ARKIT_BLENDSHAPES, MEDIAPIPE_BLENDSHAPES } from './arkit.js';
import type { FaceFrame } from './FaceFrame.js';

/**
 * Eye rotations read off ARKit-style eyeLook weights, for models and formats that want angles
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

export interface EyeGaze {
  left: EyeRotation;
  right: EyeRotation;
}

/** Both eyes' rotations from ARKit-named weights (`names` gives their order; ARKit-52 order by default). */
export function eyeGaze(weights: ArrayLike<number>, names: readonly string[] = ARKIT_BLENDSHAPES): EyeGaze {
  const w = (name: string) => weights[names.indexOf(name)] ?? 0;
  return {
    left: {
      yaw: (w('eyeLookOutLeft') - w('eyeLookInLeft')) * EYE_YAW_MAX_RAD,
      pitch: (w('eyeLookDownLeft') - w('eyeLookUpLeft')) * EYE_PITCH_MAX_RAD,
    },
    right: {
      yaw: (w('eyeLookInRight') - w('eyeLookOutRight')) * EYE_YAW_MAX_RAD,
      pitch: (w('eyeLookDownRight') - w('eyeLookUpRight')) * EYE_PITCH_MAX_RAD,
    },
  };
}

/**
 * A frame's gaze: from MediaPipe's eyeLook scores, which follow the irises, when the frame has
 * them; else from the fitted ARKit weights. (A model's fitted eyeLook weights can follow the lids
 * instead: ICT FaceKit's eyeLook shapes move only the lids.)
 */
export function frameGaze(frame: Pick<FaceFrame, 'mediapipeBlendshapes' | 'arkit'>): EyeGaze | undefined {
  if (frame.mediapipeBlendshapes?.length === MEDIAPIPE_BLENDSHAPES.length) return eyeGaze(frame.mediapipeBlendshapes, MEDIAPIPE_BLENDSHAPES);
  return frame.arkit ? eyeGaze(frame.arkit) : undefined;
}
