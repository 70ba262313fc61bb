/**
 * FLAME end to end without FLAME's own files: a FLAME-layout model on FLAME's real template
 * (scripts/fixtures/flameOnTemplate.ts), written as FLAME 2020 and 2023 pickles, imported with
 * `import-flame` (which embeds MediaPipe's landmarks on it), then tracked over the real sample
 * video by the `track` command.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { importFlameCommand } from '../../scripts/cli/importFlame.js';
import { trackVideo } from '../../scripts/cli/track.js';
import type { FrameRecord } from '../../scripts/cli/trackProtocol.js';
import { buildFlameOnTemplate, writeFlameOnTemplate } from '../../scripts/fixtures/flameOnTemplate.js';
import type { FaceModel } from '../../src/core/model/FaceModel.js';
import { readFaceModel } from '../../src/core/model/readFaceModel.js';
import { runPython, tempDir } from '../flame/pythonFixtures.js';
import { repoRoot } from './harness.js';

const video = join(repoRoot, 'examples/media/webcam-head-motion.mp4');
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe("a FLAME-layout model on FLAME's real template, imported and tracked", () => {
  let dir: { dir: string; remove: () => void };
  const summaries: Record<string, string> = {};
  const models: Record<string, FaceModel> = {};
  let records: FrameRecord[];

  beforeAll(async () => {
    dir = tempDir('p3dmm-flame-');
    const path = (name: string) => join(dir.dir, name);
    const reference = await readFaceModel(new Uint8Array(readFileSync(join(repoRoot, 'models/face-default.glb'))));
    writeFlameOnTemplate(dir.dir, buildFlameOnTemplate(readFileSync(join(repoRoot, 'test/fixtures/pixel3dmm/head_template.obj'), 'utf8'), reference));
    runPython('make_flame_on_template.py', [dir.dir, dir.dir]);
    for (const file of ['generic_model.pkl', 'flame2023.pkl']) {
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      try {
        await importFlameCommand([path(file), '--uv', path('head_template.obj'), '-o', path(`${file}.glb`)]);
        summaries[file] = log.mock.calls.map((c) => c.join(' ')).join('\n');
      } finally {
        log.mockRestore();
      }
      models[file] = await readFaceModel(new Uint8Array(readFileSync(path(`${file}.glb`))));
    }
    await trackVideo(video, dir.dir, { modelPath: path('flame2023.pkl.glb'), sheetFrames: 8, smoothing: true, onProgress: () => undefined });
    records = readFileSync(path('frames.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FrameRecord);
  }, 400_000);
  afterAll(() => dir?.remove());

  const window = (from: number, to: number) => records.filter((r) => r.face && r.videoTime >= from && r.videoTime <= to);

  it('imports both FLAME layouts alike, with MediaPipe embedded close to the surface', () => {
    const a = models['generic_model.pkl']!, b = models['flame2023.pkl']!;
    expect(Array.from(a.mediapipe478!.vertices)).toEqual(Array.from(b.mediapipe478!.vertices));
    expect(a.fittingRegion.length).toBe(b.fittingRegion.length);
    for (const summary of Object.values(summaries)) {
      const [, face, canonical] = /face lies ([\d.]+) mm.*canonical face ([\d.]+) mm/.exec(summary) ?? [];
      expect(Number(face)).toBeLessThan(1);
      expect(Number(canonical)).toBeLessThan(1);
    }
    // The irises on the eyeballs: vertices the eye joints move.
    const eyeJoints = new Set([3, 4]);
    for (const iris of [468, 473]) {
      const v = a.mediapipe478!.vertices[3 * iris]!;
      expect(eyeJoints.has(a.skeleton!.skinJoints[v * a.skeleton!.influences]!)).toBe(true);
    }
  });

  it('tracks every frame of the video', () => {
    expect(records).toHaveLength(325);
    expect(records.filter((r) => r.face).length).toBeGreaterThanOrEqual(0.95 * 325);
    expect(records.find((r) => r.face)!.units).toBe('m');
  });

  it("fits FLAME onto MediaPipe's points (median error under 2.5% of the inter-ocular distance; the default model: 1.2%)", () => {
    const errors = records.filter((r) => r.face).map((r) => {
      const fit = r.landmarks2d!, mp = r.mediapipeLandmarks2d!;
      const iod = Math.hypot(mp[2 * 33]! - mp[2 * 263]!, mp[2 * 33 + 1]! - mp[2 * 263 + 1]!);
      return mean(Array.from({ length: 478 }, (_, k) => Math.hypot(fit[2 * k]! - mp[2 * k]!, fit[2 * k + 1]! - mp[2 * k + 1]!))) / iod;
    });
    errors.sort((x, y) => x - y);
    expect(errors[Math.floor(errors.length / 2)]!).toBeLessThan(0.025);
  });

  it('shows the head rolls of the video in the pose, and drives the joints', () => {
    const roll = (from: number, to: number) => mean(window(from, to).map((r) => r.pose!.yawPitchRollDeg[2]!));
    expect(Math.abs(roll(0, 0.5))).toBeLessThan(8);
    const first = roll(1.8, 2.6), second = roll(4.9, 5.5);
    expect(Math.abs(first)).toBeGreaterThan(15);
    expect(Math.abs(second)).toBeGreaterThan(15);
    expect(Math.sign(first)).toBe(-Math.sign(second));
    // Every frame reports the five joints; the jaw and eyes move.
    const joints = window(0, 11).map((r) => r.jointRotations!);
    expect(joints.every((j) => j.length === 15)).toBe(true);
    for (const joint of [2, 3, 4]) expect(Math.max(...joints.map((j) => Math.hypot(j[3 * joint]!, j[3 * joint + 1]!, j[3 * joint + 2]!)))).toBeGreaterThan(0.02);
  });

  it('opens the fitted mouth where the lips part', () => {
    // As for the default model (tracker.test.ts): 2.4–3.2 s parted, 4.4–5.6 s closed.
    const gapIod = (p: number[], mp: number[]) => Math.hypot(p[26]! - p[28]!, p[27]! - p[29]!) / Math.hypot(mp[66]! - mp[526]!, mp[67]! - mp[527]!);
    const fitted = (from: number, to: number) => mean(window(from, to).map((r) => gapIod(r.landmarks2d!, r.mediapipeLandmarks2d!)));
    expect(fitted(2.4, 3.2)).toBeGreaterThan(1.5 * fitted(4.4, 5.6));
  });
});
