/** overlay.png: a grid of face crops from frames spread over the video, each with the fit drawn over it. */
import type { FaceFrame } from '../../src/index.js';
import { dataUrl } from './dataUrl.js';

const CELL_PX = 360;
const COLUMNS = 4;

export class ContactSheet {
  private readonly canvas: OffscreenCanvas;
  private readonly context: OffscreenCanvasRenderingContext2D;
  private readonly columns: number;

  constructor(cellCount: number) {
    this.columns = Math.min(COLUMNS, cellCount);
    this.canvas = new OffscreenCanvas(this.columns * CELL_PX, Math.ceil(cellCount / this.columns) * CELL_PX);
    this.context = this.canvas.getContext('2d')!;
    this.context.fillStyle = '#111';
    this.context.fillRect(0, 0, this.canvas.width, this.canvas.height);
  }

  /** Cell `cell` (row-major): a square crop of `image` around the face MediaPipe found (the frame's centre when none). */
  drawCell(cell: number, image: OffscreenCanvas, frame: FaceFrame | null, videoTime: number): void {
    const ctx = this.context;
    const ox = (cell % this.columns) * CELL_PX, oy = Math.floor(cell / this.columns) * CELL_PX;
    let cx = image.width / 2, cy = image.height / 2, size = Math.min(image.width, image.height);
    if (frame) {
      const xs = [], ys = [];
      for (let k = 0; k < frame.mediapipeLandmarks.length; k += 2) (xs.push(frame.mediapipeLandmarks[k]!), ys.push(frame.mediapipeLandmarks[k + 1]!));
      cx = (Math.min(...xs) + Math.max(...xs)) / 2;
      cy = (Math.min(...ys) + Math.max(...ys)) / 2;
      size = 1.5 * Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
    }
    const scale = CELL_PX / size;
    ctx.save();
    ctx.beginPath();
    ctx.rect(ox, oy, CELL_PX, CELL_PX);
    ctx.clip();
    ctx.drawImage(image, ox - (cx - size / 2) * scale, oy - (cy - size / 2) * scale, image.width * scale, image.height * scale);
    ctx.restore();
    ctx.fillStyle = '#fff';
    ctx.font = '14px sans-serif';
    ctx.fillText(`${videoTime.toFixed(2)} s${frame ? '' : ' (no face)'}`, ox + 8, oy + 20);
  }

  /** The sheet as a PNG data URL. */
  async toPng(): Promise<string> {
    const blob = await this.canvas.convertToBlob({ type: 'image/png' });
    return dataUrl('image/png', new Uint8Array(await blob.arrayBuffer()));
  }
}
