import type { InputVideoTrack } from 'mediabunny';
import { TrackerError } from '../../core/errors.js';

/** One decoded frame of a video file. The caller owns `frame` and must close it. */
export interface DecodedFrame {
  frame: VideoFrame;
  /** Presentation time in the file (edit list applied), seconds. */
  videoTime: number;
  /** 0-based index in presentation order. */
  index: number;
}

export interface VideoFileInfo {
  codec: string;
  /** Frame size as displayed (the file's rotation applied, as the frames are), px. */
  width: number;
  height: number;
  frameCount: number;
  durationS: number;
}

/** An opened video file: what it holds, and its frames in order. */
export interface VideoFile {
  info: VideoFileInfo;
  /** Decodes every frame, in presentation order; each call starts from the first. */
  frames: () => AsyncGenerator<DecodedFrame>;
}

/**
 * Every frame of a video file (MP4, MOV, WebM, MKV, …), in order, decoded with WebCodecs
 * (demuxed with Mediabunny): the offline path, where no frame may be dropped and each frame's
 * time must be exact.
 */
export async function openVideoFile(source: string | URL | Blob | ArrayBuffer): Promise<VideoFile> {
  // Loaded on first use: a live tracker never pays for the demuxer.
  const { ALL_FORMATS, BufferSource, Input, UnsupportedInputFormatError } = await import('mediabunny');
  const input = new Input({ formats: ALL_FORMATS, source: new BufferSource(await readBytes(source)) });
  let track: InputVideoTrack | null;
  try {
    track = await input.getPrimaryVideoTrack();
  } catch (cause) {
    const unknown = cause instanceof UnsupportedInputFormatError;
    throw new TrackerError('invalid-input', unknown ? 'Not a video file this SDK can read (MP4, MOV, WebM or MKV is expected).' : `The video file cannot be read (${(cause as Error).message}).`, {}, { cause });
  }
  if (!track) throw new TrackerError('invalid-input', 'The file has no video track.');
  const codec = (await track.getCodecParameterString()) ?? String(track.codec);
  if (!(await track.canDecode())) throw new TrackerError('invalid-input', `This browser cannot decode the video's codec (${codec}).`);
  const [stats, durationS] = await Promise.all([track.computePacketStats(), track.computeDuration()]);
  return {
    info: { codec, width: track.displayWidth, height: track.displayHeight, frameCount: stats.packetCount, durationS },
    frames: () => decodeAll(track),
  };
}

async function* decodeAll(track: InputVideoTrack): AsyncGenerator<DecodedFrame> {
  const { CanvasSink, VideoSampleSink } = await import('mediabunny');
  let index = 0;
  try {
    if (track.rotation === 0) {
      for await (const sample of new VideoSampleSink(track).samples()) {
        const frame = sample.toVideoFrame();
        const videoTime = Math.max(0, sample.timestamp);
        sample.close();
        yield { frame, videoTime, index: index++ };
      }
      return;
    }
    // Phone videos are stored landscape with a rotation for the player to apply: frames come out
    // upright (as `info` describes them), drawn rotated onto a canvas, one copy a frame.
    for await (const { canvas, timestamp } of new CanvasSink(track, { poolSize: 1 }).canvases()) {
      yield { frame: new VideoFrame(canvas, { timestamp: Math.round(timestamp * 1e6) }), videoTime: Math.max(0, timestamp), index: index++ };
    }
  } catch (cause) {
    if (cause instanceof TrackerError) throw cause;
    throw new TrackerError('invalid-input', `Video decoding failed: ${(cause as Error).message}`, {}, { cause });
  }
}

async function readBytes(source: string | URL | Blob | ArrayBuffer): Promise<ArrayBuffer> {
  if (source instanceof ArrayBuffer) return source;
  if (source instanceof Blob) return source.arrayBuffer();
  const response = await fetch(String(source)).catch((cause) => {
    throw new TrackerError('invalid-input', `Could not read the video ${source}: ${(cause as Error).message}`);
  });
  if (!response.ok) throw new TrackerError('invalid-input', `Could not read the video ${source}: HTTP ${response.status}.`, { status: response.status });
  return response.arrayBuffer();
}
