import type { TrackerErrorCode } from '../core/errors.js';
import type { FaceFrame } from '../core/FaceFrame.js';
import type { PriorStageEvent, PriorStageOptions } from './prior/PriorStage.js';
import type { PriorRuntimeInfo } from './prior/priorProtocol.js';
import type { DetectedFace } from './LandmarkDetector.js';
import type { FrameMeta, PipelineOptions } from './TrackingPipeline.js';

/** What the main thread hands the tracking worker at start-up. */
export interface WorkerInit {
  faceModel: Uint8Array;
  /** MediaPipe FaceLandmarker .task bytes. */
  landmarker: Uint8Array;
  /** URL of the folder holding MediaPipe's WASM files. */
  mediapipeWasmBase: string;
  delegate: 'CPU' | 'GPU';
  /** Run MediaPipe here (true), or take the page's landmarks with each frame (the main-thread fallback). */
  landmarksInWorker: boolean;
  pipeline: PipelineOptions;
  /** The ViT prior, when the tracker runs one (model bytes and options). */
  prior?: PriorStageOptions;
}

/** What the worker reports once ready. */
export interface WorkerReady {
  model: {
    name: string;
    units: string;
    metersPerUnit: number;
    uvLayout: string;
    vertexCount: number;
    identityCount: number;
    expressionNames: string[];
    jointNames?: string[];
    /** Triangles, for drawing and avatars: [count][3]. */
    triangleCount: number;
  };
  /** How the ViT prior runs, when there is one. */
  prior?: PriorRuntimeInfo;
}

/** An error crossing the worker boundary as plain data (Error subclasses lose their fields). */
export interface WorkerErrorPayload {
  trackerError: { code: TrackerErrorCode; message: string; details: Record<string, unknown> };
}

/** The tracking worker's RPC surface (comlink). */
export interface TrackingWorkerApi {
  init(init: WorkerInit): Promise<WorkerReady>;
  /**
   * Tracks one frame and closes it; null when no face is found. `landmarks`: the page's MediaPipe
   * result for the frame, when landmarks run on the main thread.
   */
  track(frame: VideoFrame | ImageBitmap, meta: FrameMeta, landmarks?: { face: DetectedFace | null }): Promise<FaceFrame | null>;
  reset(): void;
  /** Called once if the ViT prior stops (GPU device lost, repeated failures); tracking goes on with landmarks. */
  onPriorEvent(listener: (event: PriorStageEvent) => void): void;
  dispose(): void;
}
