/**
 * A frozen video (one frame delivered over and over: a stalled camera, a paused stream) must give
 * a still fit. The fitter warm-starts each frame from the last solution moved on by the last
 * frame's motion (`predictMotion`); on a repeated frame that motion used to carry on as a drift
 * wherever the solve stopped short of its optimum (1–2.5e-3 rad a frame, for ever).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FaceFitter } from '../../src/core/fit/FaceFitter.js';
import type { FaceFit } from '../../src/core/fit/types.js';
import { readFaceModel } from '../../src/core/model/readFaceModel.js';
import type { RecordedFrame } from '../../bench/blendshapeReplay.js';
import { sampleVideoRecording } from './utils/sampleVideoRecording.js';

const root = new URL('../..', import.meta.url).pathname;
const model = await readFaceModel(new Uint8Array(readFileSync(`${root}models/face-default.glb`)));
const clip = sampleVideoRecording();

const distance = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.hypot(...Array.from(a, (v, i) => v - b[i]!));

describe('a frozen frame', () => {
  it('holds the fit still once settled: no drift carried on from the motion before', () => {
    const fitter = new FaceFitter(model);
    const fitFrame = (f: RecordedFrame, timeMs: number) =>
      fitter.fit({ timeMs, width: clip.width, height: clip.height, landmarks: Float32Array.from(f.landmarks), blendshapes: Float32Array.from(f.blendshapes) });
    // Two seconds of the head moving, then its last frame 60 times.
    const moving = clip.frames.slice(0, 60);
    let last: FaceFit | undefined;
    for (const f of moving) last = fitFrame(f, f.timeMs);
    const frozen = moving.at(-1)!;
    const fits: FaceFit[] = [];
    for (let k = 1; k <= 60; k++) fits.push(fitFrame(frozen, frozen.timeMs + k * 33.3));
    const settled = fits.slice(10);
    const rotationSteps = settled.slice(1).map((f, i) => distance(f.rotation, settled[i]!.rotation));
    const translationSteps = settled.slice(1).map((f, i) => distance(f.translation, settled[i]!.translation));
    console.log(`frozen frame, after 10 repeats: largest step ${Math.max(...rotationSteps).toExponential(2)} rad, ${Math.max(...translationSteps).toExponential(2)} model units; landmark RMS ${last!.stats.landmarkRmsPx.toFixed(2)} → ${settled.at(-1)!.stats.landmarkRmsPx.toFixed(2)} px`);
    // Moving video steps by 1e-2 rad and more; the drift was 1–2.5e-3 rad a frame.
    expect(Math.max(...rotationSteps)).toBeLessThan(1e-5);
    expect(Math.max(...translationSteps)).toBeLessThan(1e-5 * Math.hypot(...settled[0]!.translation));
    // Still on the frame's points.
    expect(settled.at(-1)!.stats.landmarkRmsPx).toBeLessThan(1.2 * fits[0]!.stats.landmarkRmsPx);
  });
});
