/** What the `track` command and its browser page exchange. */
export interface TrackPageOptions {
  videoUrl: string;
  /** Face model URL; the bundled default when absent. */
  modelUrl?: string;
  /** Frames in the overlay contact sheet. */
  sheetFrames: number;
  smoothing: boolean;
  /** Also encode every frame's overlay as an MP4 (sent to Node through `emitVideoBytes`). */
  video: boolean;
}

export interface TrackPageResult {
  frames: number;
  framesWithFace: number;
  width: number;
  height: number;
  /** Seconds from the page's start (the tracker's creation) to its result. */
  seconds: number;
  /** Seconds of the pass over the frames alone (decode, track, records). */
  trackingSeconds: number;
  /** data:image/png;base64,… */
  overlayPng: string;
  /** overlay.mp4, when asked for: its codec (Mediabunny's name: 'avc', 'vp9' or 'av1') and frame count. */
  video?: { codec: string; frames: number };
  expressionNames: string[];
  units: string;
  /** The frames as a take, in the SDK's export formats (absent when no frame had a face). */
  take?: {
    json: string;
    /** Live Link Face CSV; absent for models without ARKit weights. */
    csv?: string;
    /** data:model/gltf-binary;base64,… the face with the take as an animation (compressed). */
    glb: string;
  };
}

/** Progress of the page's pass over the video. */
export interface TrackProgress {
  frames: number;
  frameCount: number;
  /** Seconds since tracking started. */
  seconds: number;
}

/** One line of frames.jsonl. */
export interface FrameRecord {
  /** 0-based frame index in presentation order. */
  frame: number;
  /** The frame's position in the source video, seconds. */
  videoTime: number;
  face: boolean;
  /** The frame clock, ms (`FaceFrame.timeMs`: videoTime · 1000 here). */
  timeMs?: number;
  /** Length unit of `pose.translation` (the model's: 'cm' for the default model, 'm' for FLAME). */
  units?: string;
  pose?: { rotation: number[]; translation: number[]; yawPitchRollDeg: number[] };
  expression?: Record<string, number>;
  identity?: number[];
  jointRotations?: number[];
  /** ARKit-52 weights in ARKIT_BLENDSHAPES order. */
  arkit?: number[];
  /** The fitted model's 478 MediaPipe-embedded points projected to video pixels, flat [x0, y0, x1, …]. */
  landmarks2d?: number[];
  /** The fitted model's 68 Multi-PIE points projected to video pixels, flat. */
  landmarks68?: number[];
  /** MediaPipe's detected 478 points, video pixels, flat. */
  mediapipeLandmarks2d?: number[];
  /** MediaPipe's 52 blendshape scores for the frame, MEDIAPIPE_BLENDSHAPES order. */
  mediapipeBlendshapes?: number[];
  focalPx?: number;
  fitRmsPx?: number;
  /** Worker time for this frame: MediaPipe, fit (+ smoothing), total. */
  timingsMs?: { landmarks: number; fit: number; worker: number };
}

/** What the page (trackPage.ts) and the Node side (track.ts, page.exposeFunction) add to the page's window. */
declare global {
  interface Window {
    runTrack(options: TrackPageOptions): Promise<TrackPageResult>;
    /** Provided by the Node side (page.exposeFunction). */
    emitFrames(records: FrameRecord[]): Promise<void>;
    emitProgress(progress: TrackProgress): Promise<void>;
    /** overlay.mp4's bytes (base64) at a byte offset. */
    emitVideoBytes(position: number, base64: string): Promise<void>;
  }
}
