/** FaceSelector's rules on boxes of landmarks (the browser test trackerInputs.test.ts runs it on video). */
import { describe, expect, it } from 'vitest';
import { FaceSelector } from '../../src/core/image/FaceSelector.js';

/** The four corners of a square face at (x, y) with side `size`, as landmarks [count][2] px. */
const face = (x: number, y: number, size: number) => [x, y, x + size, y, x, y + size, x + size, y + size];

describe('FaceSelector', () => {
  it('takes the largest face first', () => {
    const selector = new FaceSelector();
    expect(selector.select([face(0, 0, 100), face(300, 0, 120)])).toEqual({ index: 1, switched: false });
    expect(selector.select([])).toBeNull();
  });

  it('keeps the tracked face while another is not clearly larger, whatever the order of the detections', () => {
    const selector = new FaceSelector();
    selector.select([face(0, 0, 100)]);
    for (let i = 0; i < 30; i++) {
      // The other face is 1.1× wider (1.21× the area) every frame; the detections come in either order.
      const faces = i % 2 ? [face(300, 0, 110), face(i, 0, 100)] : [face(i, 0, 100), face(300, 0, 110)];
      expect(selector.select(faces)).toEqual({ index: i % 2 ? 1 : 0, switched: false });
    }
  });

  it('switches to a clearly larger face only after it stays larger for switchFrames frames', () => {
    const selector = new FaceSelector({ switchFrames: 5 });
    selector.select([face(0, 0, 100)]);
    const picks = Array.from({ length: 7 }, () => selector.select([face(0, 0, 100), face(300, 0, 130)]));
    expect(picks.map((p) => p!.index)).toEqual([0, 0, 0, 0, 1, 1, 1]);
    expect(picks.map((p) => p!.switched)).toEqual([false, false, false, false, true, false, false]);
    // An interruption restarts the count.
    const other = new FaceSelector({ switchFrames: 3 });
    other.select([face(0, 0, 100)]);
    other.select([face(0, 0, 100), face(300, 0, 130)]);
    other.select([face(0, 0, 100), face(300, 0, 130)]);
    other.select([face(0, 0, 100), face(300, 0, 105)]);
    expect(other.select([face(0, 0, 100), face(300, 0, 130)])!.index).toBe(0);
  });

  it('takes the largest when the tracked face is gone (no overlap), and says it switched', () => {
    const selector = new FaceSelector();
    selector.select([face(0, 0, 100)]);
    expect(selector.select([face(300, 0, 80), face(600, 0, 90)])).toEqual({ index: 1, switched: true });
    selector.reset();
    expect(selector.select([face(0, 0, 100)])).toEqual({ index: 0, switched: false });
  });
});
