// pixel3dmm-web/core: the pure math (no DOM), usable in workers, Node and the browser alike.
export * from './errors.js';
export * from './arkit.js';
export * from './arkitNeutral.js';
export * from './arkitProjection.js';
export * from './camera.js';
export type * from './FaceFrame.js';
export type * from './fit/types.js';
export * from './math/rotation.js';
export type * from './model/FaceModel.js';
export * from './model/FaceModelEvaluator.js';
export * from './model/PointBasis.js';
export * from './model/readFaceModel.js';
export * from './model/faceModelSchema.js';
