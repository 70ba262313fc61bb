import { DataStream, Endianness, createFile, type MP4BoxBuffer, type Sample } from 'mp4box';
import { TrackerError } from '../core/errors.js';

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
  width: number;
  height: number;
  frameCount: number;
  durationS: number;
}

/**
 * Every frame of an MP4 file, in order, decoded with WebCodecs (demuxed with mp4box): the
 * offline path, where no frame may be dropped and each frame's time must be exact.
 */
export async function openVideoFile(source: string | URL | Blob | ArrayBuffer): Promise<{ info: VideoFileInfo; frames: () => AsyncGenerator<DecodedFrame> }> {
  const bytes = await readBytes(source);
  const file = createFile();
  const samples: Sample[] = [];
  let ready: { id: number; codec: string; width: number; height: number; timescale: number; frames: number; duration: number } | undefined;
  file.onError = (module: string, message: string) => {
    throw new TrackerError('invalid-input', `Not a readable MP4 file (${module}: ${message}).`);
  };
  file.onReady = (movie) => {
    const track = movie.videoTracks[0];
    if (!track) return;
    ready = {
      id: track.id,
      codec: track.codec,
      width: track.video?.width ?? track.track_width,
      height: track.video?.height ?? track.track_height,
      timescale: track.timescale,
      frames: track.nb_samples,
      duration: track.duration / track.timescale,
    };
    file.setExtractionOptions(track.id, null, { nbSamples: Infinity });
    file.start();
  };
  file.onSamples = (_id, _user, s) => {
    samples.push(...s);
  };
  const buffer = bytes as MP4BoxBuffer;
  buffer.fileStart = 0;
  file.appendBuffer(buffer);
  file.flush();
  if (!ready) throw new TrackerError('invalid-input', 'The file has no video track that can be read (an MP4 with H.264/H.265/VP9/AV1 video is expected).');
  const track = ready;
  const trak = file.getTrackById(track.id);
  const description = codecDescription(trak);
  const config: VideoDecoderConfig = { codec: track.codec, codedWidth: track.width, codedHeight: track.height, ...(description ? { description } : {}) };
  const support = await VideoDecoder.isConfigSupported(config);
  if (!support.supported) throw new TrackerError('invalid-input', `This browser cannot decode the video's codec (${track.codec}).`);
  // The edit list's first media time is where presentation starts (what players and ffprobe call 0).
  const elst = (trak as unknown as { edts?: { elst?: { entries?: { media_time: number }[] } } }).edts?.elst?.entries?.[0];
  const startOffsetS = elst && elst.media_time > 0 ? elst.media_time / track.timescale : 0;

  return {
    info: { codec: track.codec, width: track.width, height: track.height, frameCount: track.frames, durationS: track.duration },
    frames: () => decodeAll(config, samples, track.timescale, startOffsetS),
  };
}

async function* decodeAll(config: VideoDecoderConfig, samples: Sample[], timescale: number, startOffsetS: number): AsyncGenerator<DecodedFrame> {
  const output: VideoFrame[] = [];
  let failure: Error | undefined;
  const decoder = new VideoDecoder({ output: (frame) => output.push(frame), error: (e) => (failure = e) });
  decoder.configure(config);
  let index = 0;
  const drain = function* (): Generator<DecodedFrame> {
    for (let frame = output.shift(); frame; frame = output.shift()) {
      yield { frame, videoTime: Math.max(0, frame.timestamp / 1e6 - startOffsetS), index: index++ };
    }
  };
  try {
    for (const s of samples) {
      if (failure) break;
      decoder.decode(new EncodedVideoChunk({ type: s.is_sync ? 'key' : 'delta', timestamp: (1e6 * s.cts) / timescale, duration: (1e6 * s.duration) / timescale, data: s.data! }));
      // Keep only a few chunks queued: frames come out as the consumer takes them, never the whole file at once.
      while (decoder.decodeQueueSize > 2 && !failure) await new Promise((r) => decoder.addEventListener('dequeue', r, { once: true }));
      yield* drain();
    }
    if (!failure) await decoder.flush().catch((e: Error) => (failure = e));
    if (failure) throw new TrackerError('invalid-input', `Video decoding failed: ${failure.message}`);
    yield* drain();
  } finally {
    output.forEach((f) => f.close());
    if (decoder.state !== 'closed') decoder.close();
  }
}

/** The codec-specific configuration box (avcC, hvcC, vpcC, av1C) WebCodecs needs as `description`. */
function codecDescription(trak: ReturnType<ReturnType<typeof createFile>['getTrackById']>): Uint8Array | undefined {
  for (const entry of trak.mdia.minf.stbl.stsd.entries) {
    const box = (entry as unknown as Record<string, { write(s: DataStream): void } | undefined>);
    const config = box.avcC ?? box.hvcC ?? box.vpcC ?? box.av1C;
    if (config) {
      const stream = new DataStream(undefined, 0, Endianness.BIG_ENDIAN);
      config.write(stream);
      return new Uint8Array(stream.buffer, 8); // skip the box header
    }
  }
  return undefined;
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
