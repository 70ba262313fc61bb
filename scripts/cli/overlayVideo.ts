/**
 * overlay.mp4: every overlay frame encoded as it is drawn (WebCodecs through Mediabunny) and
 * streamed to Node in chunks, so no more than a chunk and the encoder's queue are ever held.
 * H.264 where the browser can encode it (Chrome, and Debian's Chromium), else VP9 or AV1 in MP4.
 */
import { CanvasSource, Mp4OutputFormat, Output, QUALITY_HIGH, StreamTarget, getFirstEncodableVideoCodec, type VideoCodec } from 'mediabunny';

/** Bytes per write to Node: large enough that the page→Node calls cost little, small enough to hold. */
const CHUNK_BYTES = 4 * 1024 * 1024;

export class OverlayVideo {
  private constructor(
    private readonly output: Output,
    private readonly source: CanvasSource,
    private readonly frameDurationS: number,
    readonly codec: VideoCodec,
  ) {}

  /**
   * Starts an MP4 of `canvas`'s frames at `frameRate` (fps); `write` gets the file's bytes with
   * their offsets (the header is written last, at offset 0), and its promise holds the encoder back.
   */
  static async start(canvas: OffscreenCanvas, frameRate: number, write: (position: number, bytes: Uint8Array) => Promise<void>): Promise<OverlayVideo> {
    const codec = await getFirstEncodableVideoCodec(['avc', 'vp9', 'av1'], { width: canvas.width, height: canvas.height });
    if (!codec) throw new Error('This browser can encode none of H.264, VP9 or AV1 (WebCodecs), so it cannot write overlay.mp4; run without --video.');
    const target = new StreamTarget(new WritableStream({ write: (chunk) => write(chunk.position, chunk.data) }), { chunked: true, chunkSize: CHUNK_BYTES });
    const output = new Output({ format: new Mp4OutputFormat(), target });
    const source = new CanvasSource(canvas, { codec, bitrate: QUALITY_HIGH });
    output.addVideoTrack(source, { frameRate });
    await output.start();
    return new OverlayVideo(output, source, 1 / frameRate, codec);
  }

  /** Encodes the canvas as it is now, shown at `videoTime` (s); resolves when the encoder can take more. */
  add(videoTime: number): Promise<void> {
    return this.source.add(videoTime, this.frameDurationS);
  }

  /** Writes the rest of the file (the index); the last `write` has resolved when this does. */
  finish(): Promise<void> {
    return this.output.finalize();
  }

  /** Drops the file on a failure before `finish()`. */
  cancel(): Promise<void> {
    return this.output.cancel();
  }
}
