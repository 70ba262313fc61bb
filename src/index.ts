// pixel3dmm-web: real-time 3D face tracking in the browser: the tracker.
// Avatars with three.js: 'pixel3dmm-web/three'. Recording and export: 'pixel3dmm-web/record'.
export { FaceTracker } from './sdk/tracker/FaceTracker.js';
export type { FaceTrackerOptions, FaceTrackerInfo, FaceTrackerEventMap, FaceLostDetail, NeutralRecordedDetail, SourceEndedDetail, PriorOptions, PriorInfo } from './sdk/tracker/FaceTrackerOptions.js';
export type { TrackerSource } from './sdk/tracker/videoSource.js';
export { openCamera } from './sdk/tracker/openCamera.js';
export { openVideoFile, type DecodedFrame, type VideoFile, type VideoFileInfo } from './sdk/tracker/decodeVideoFile.js';
export type { LoadProgress } from './sdk/tracker/fetchAsset.js';
export type { TrackerStatsSnapshot } from './sdk/tracker/TrackerStats.js';
export type { FrameStreamOptions } from './sdk/tracker/FrameStreams.js';
export type { PriorBackendChoice, PriorRuntimeInfo } from './workers/priorProtocol.js';
export type { NormalsSpace } from './core/fit/types.js';
export { TrackerError, type TrackerErrorCode } from './core/errors.js';
export { ARKIT_BLENDSHAPES, MEDIAPIPE_BLENDSHAPES, type ArkitBlendshape, type ArkitMap } from './core/arkit.js';
export type { ArkitProjection } from './core/arkitProjection.js';
export type { FaceFrame, FrameTimings, HeadPose, LengthUnits } from './core/FaceFrame.js';
export type { FaceCrop } from './core/image/FaceCropTracker.js';
export type { PinholeCamera } from './core/camera.js';
export type { FaceModel, FaceModelInfo } from './core/model/FaceModel.js';
export { DEFAULT_FIT_WEIGHTS, DEFAULT_JOINT_LIMITS, type FaceFitterOptions, type FitWeights } from './core/fit/FaceFitterOptions.js';
export type { RobustLoss } from './core/fit/terms/robustLoss.js';
export { DEFAULT_IDENTITY_POLICY, type IdentityPolicy } from './core/fit/IdentityEstimator.js';
export { DEFAULT_SMOOTHING, type FaceSmootherOptions } from './core/smoothing/FaceSmoother.js';
export type { OneEuroParams } from './core/smoothing/OneEuroFilter.js';
export { eyeGaze, frameGaze, EYE_PITCH_MAX_RAD, EYE_YAW_MAX_RAD, type EyeGaze, type EyeRotation } from './core/eyeGaze.js';
