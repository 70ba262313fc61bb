/** Bench pages are bundled into dist/bench/: they point the tracker at the package's own files. */
export const PACKAGE_ASSETS = {
  model: '/models/face-default.glb',
  landmarker: '/models/mediapipe/face_landmarker.task',
  workerUrl: '/dist/tracking-worker.js',
  mediapipeWasm: '/dist/mediapipe-wasm/',
} as const;
