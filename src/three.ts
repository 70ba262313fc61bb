// pixel3dmm-web/three: three.js avatars driven by the tracker's frames (three is a peer dependency).
export { FaceAvatar, type FaceAvatarOptions } from './sdk/three/FaceAvatar.js';
export { loadFaceModel, parseFaceModel, type LoadedFaceModel, type LoadFaceModelOptions } from './sdk/three/loadFaceModel.js';
export type { EmbeddingExtras, FaceModelExtras, GroupExtras } from './core/model/faceModelSchema.js';
export { setCameraFromPinhole, type PinholeCameraOptions } from './sdk/three/setCameraFromPinhole.js';
export { retarget, ArkitRetarget, type RetargetOptions, type RetargetReport } from './sdk/three/retarget.js';
export { ARKIT_ALIASES, ArkitNameMatcher, canonicalName } from './sdk/three/arkitAliases.js';
