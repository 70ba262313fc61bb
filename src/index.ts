// pixel3dmm-web: real-time 3D face tracking in the browser.
export { FaceTracker, type FaceTrackerOptions, type FaceTrackerInfo, type FaceTrackerEventMap } from './sdk/FaceTracker.js';
export { openCamera } from './sdk/openCamera.js';
export { openVideoFile, type DecodedFrame, type VideoFileInfo } from './sdk/decodeVideoFile.js';
export type { LoadProgress } from './sdk/fetchAsset.js';
export type { TrackerStatsSnapshot } from './sdk/TrackerStats.js';
export { TrackerError, type TrackerErrorCode } from './core/errors.js';
export { ARKIT_BLENDSHAPES, MEDIAPIPE_BLENDSHAPES } from './core/arkit.js';
export type { FaceFrame, HeadPose, FrameTimings } from './core/FaceFrame.js';
export type { PinholeCamera } from './core/fit/types.js';
export { readFaceModel } from './core/model/readFaceModel.js';
export type { FaceModel } from './core/model/FaceModel.js';
