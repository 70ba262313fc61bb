/**
 * The example pages in headless Chromium, with the sample video as the webcam: each loads its
 * models with progress, tracks, and draws; screenshots go to test-results/examples-*.png.
 * Pixels are judged in the page (the screenshot decoded by the browser).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Mesh } from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { MeshoptDecoder } from 'three/examples/jsm/libs/meshopt_decoder.module.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_LINK_CSV_HEADER } from '../../src/sdk/record/liveLinkCsv.js';
import { TAKE_FORMAT, type TakeJSON } from '../../src/sdk/record/takeSchema.js';
import { artifactsDir, repoRoot, startBrowserSession, type BrowserSession } from './harness.js';

/** What the example pages publish on `window.example` (for tests and the devtools console). */
interface ExampleWindow {
  example: { lastFrame?: { pose: { roll: number }; mediapipeLandmarks: Float32Array; width: number; height: number }; stream?: MediaStream };
}
declare const window: ExampleWindow & Window;

/** Pixel statistics of a PNG, computed in the page: share of pixels far from `background`, mean colour there, bounding box. */
interface PngStats {
  width: number;
  height: number;
  /** Share of pixels differing from the background by more than 40 (sum of |ΔRGB|). */
  drawn: number;
  /** Share of skin-coloured pixels (r > g > b, r > 110). */
  skin: number;
}

/** Decodes PNGs in the page and measures them (no image library needed in Node). */
async function pngStats(page: Page, png: Buffer, background: [number, number, number]): Promise<PngStats> {
  return page.evaluate(
    async ({ b64, bg }) => {
      const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0);
      const d = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      let drawn = 0, skin = 0;
      for (let i = 0; i < d.length; i += 4) {
        const [r, g, b] = [d[i]!, d[i + 1]!, d[i + 2]!];
        if (Math.abs(r - bg[0]) + Math.abs(g - bg[1]) + Math.abs(b - bg[2]) > 40) drawn++;
        if (r > g && g > b && r > 110) skin++;
      }
      const n = d.length / 4;
      return { width: bitmap.width, height: bitmap.height, drawn: drawn / n, skin: skin / n };
    },
    { b64: png.toString('base64'), bg: background },
  );
}

/** Mean absolute difference of two same-size PNGs, per channel (0–255), computed in the page. */
async function pngDifference(page: Page, a: Buffer, b: Buffer): Promise<number> {
  return page.evaluate(
    async ([x, y]) => {
      const pixels = async (b64: string) => {
        const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
        const ctx = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')!;
        ctx.drawImage(bitmap, 0, 0);
        return ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      };
      const [p, q] = [await pixels(x!), await pixels(y!)];
      let sum = 0;
      for (let i = 0; i < p.length; i++) if (i % 4 !== 3) sum += Math.abs(p[i]! - q[i]!);
      return sum / ((p.length * 3) / 4);
    },
    [a.toString('base64'), b.toString('base64')],
  );
}

/** Opens an example, checks the download progress reached the end, starts the camera and waits for tracking. */
async function startExample(session: BrowserSession, name: string): Promise<Page & { consoleErrors: string[] }> {
  const page = await session.open(`/examples/${name}.html`);
  await page.waitForFunction(() => !(document.getElementById('start') as HTMLButtonElement).disabled, null, { timeout: 120_000 });
  const progress = await page.evaluate(() => {
    const bar = document.getElementById('progress') as HTMLProgressElement;
    return { value: bar.value, max: bar.max, label: document.getElementById('progress-label')!.textContent };
  });
  expect(progress.max).toBeGreaterThan(5e6); // the face model and MediaPipe's landmarker
  expect(progress.value).toBe(progress.max);
  expect(progress.label).toMatch(/Models: [\d.]+ \/ [\d.]+ MB/);
  await page.click('#start');
  await page.waitForFunction(() => window.example?.lastFrame, null, { timeout: 90_000 });
  return page;
}

/** Console errors that are not the page's fault: the favicon 404 and MediaPipe's info line on stderr. */
const realErrors = (errors: string[]) => errors.filter((e) => !/Failed to load resource|XNNPACK delegate/.test(e));

/** Waits until the tracked head's roll satisfies `ok`, up to `timeoutMs`. */
async function waitForRoll(page: Page, ok: string, timeoutMs = 60_000): Promise<void> {
  await page.waitForFunction(`(() => { const roll = window.example.lastFrame.pose.roll; return ${ok}; })()`, null, { timeout: timeoutMs, polling: 100 });
}

describe('example pages', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    // The first 4 s of the sample video (upright, then the head rolls), downscaled, as a Y4M fake webcam.
    const fakeCamera = join(mkdtempSync(join(tmpdir(), 'p3dmm-examples-')), 'camera.y4m');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-t', '4', '-i', join(repoRoot, 'examples/media/webcam-head-motion.mp4'), '-vf', 'scale=540:360', '-pix_fmt', 'yuv420p', fakeCamera]);
    session = await startBrowserSession({ fakeCamera, webgpu: false });
  }, 120_000);
  afterAll(async () => session?.close());

  it('webcam avatar: draws a face that follows the head, with stats and fallbacks shown', async () => {
    const page = await startExample(session, 'webcam-avatar');
    const avatar = page.locator('#avatar');
    await waitForRoll(page, 'Math.abs(roll) < 0.08');
    const upright = await avatar.screenshot({ path: `${artifactsDir}/examples-webcam-avatar-upright.png` });
    await waitForRoll(page, 'Math.abs(roll) > 0.25');
    const rolled = await avatar.screenshot({ path: `${artifactsDir}/examples-webcam-avatar-rolled.png` });
    await page.waitForFunction(() => /fps/.test(document.getElementById('stats')!.textContent!), null, { timeout: 10_000 });
    await page.screenshot({ path: `${artifactsDir}/examples-webcam-avatar-page.png`, fullPage: true });

    const background: [number, number, number] = [0x24, 0x28, 0x2e];
    for (const shot of [upright, rolled]) {
      const stats = await pngStats(page, shot, background);
      expect(stats.drawn).toBeGreaterThan(0.2); // a head fills a good part of the view
      expect(stats.skin).toBeGreaterThan(0.15); // and most of it is skin
    }
    expect(await pngDifference(page, upright, rolled)).toBeGreaterThan(8); // the head turned

    // The stats line reads "no face" for a while after MediaPipe loses the face (at 3 fps here, a
    // fast roll can outrun its tracking until it detects again): the tracking line must come back.
    await page.waitForFunction(() => /\d+ fps · latency \d+ ms/.test(document.getElementById('stats')!.textContent!), null, { timeout: 20_000 });
    expect(await page.locator('#fallbacks li').count()).toBeGreaterThan(0);
    expect(realErrors(page.consoleErrors)).toEqual([]);
    await page.close();
  });

  it('video-call filter: the overlay lies on the face the detector found, and the canvas streams over WebRTC', async () => {
    const page = await startExample(session, 'video-call-filter');
    // Past the first frames (a re-initialisation fits pose alone, with the average identity).
    await page.evaluate(() => {
      const counter = window as unknown as { framesSeen: number };
      counter.framesSeen = 0;
      (window.example as unknown as { tracker: EventTarget }).tracker.addEventListener('frame', () => counter.framesSeen++);
    });
    await page.waitForFunction(() => (window as unknown as { framesSeen: number }).framesSeen >= 10, null, { timeout: 60_000, polling: 100 });
    // The overlay layer and the frame it was drawn for, read in one go (no frame can land in between).
    const overlay = await page.evaluate(() => {
      const canvas = (window.example as unknown as { overlay: { domElement: HTMLCanvasElement } }).overlay.domElement;
      const frame = window.example.lastFrame!;
      const ctx = new OffscreenCanvas(canvas.width, canvas.height).getContext('2d')!;
      ctx.drawImage(canvas, 0, 0);
      const alpha = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      const covered = (x: number, y: number) => alpha[4 * (Math.round(y) * canvas.width + Math.round(x)) + 3]! > 0;
      let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity, area = 0;
      for (let y = 0; y < canvas.height; y++) {
        for (let x = 0; x < canvas.width; x++) {
          if (!covered(x, y)) continue;
          area++;
          [minX, minY, maxX, maxY] = [Math.min(minX, x), Math.min(minY, y), Math.max(maxX, x), Math.max(maxY, y)];
        }
      }
      const lm = frame.mediapipeLandmarks;
      const xs = Array.from({ length: 478 }, (_, i) => lm[2 * i]!), ys = Array.from({ length: 478 }, (_, i) => lm[2 * i + 1]!);
      const onMask = xs.filter((x, i) => covered(x, ys[i]!)).length / 478;
      return {
        png: canvas.toDataURL('image/png'),
        canvas: [canvas.width, canvas.height], video: [frame.width, frame.height],
        mask: { minX, minY, maxX, maxY, area },
        face: { minX: Math.min(...xs), minY: Math.min(...ys), maxX: Math.max(...xs), maxY: Math.max(...ys) },
        onMask,
      };
    });
    writeFileSync(`${artifactsDir}/examples-video-call-filter-overlay.png`, Buffer.from(overlay.png.slice(overlay.png.indexOf(',') + 1), 'base64'));
    await page.locator('#output').screenshot({ path: `${artifactsDir}/examples-video-call-filter-output.png` });
    expect(overlay.canvas).toEqual(overlay.video);
    // MediaPipe's own 478 points (the detector, not our fit) fall on the drawn mask…
    expect(overlay.onMask).toBeGreaterThan(0.95);
    // …and the mask is the head around them (skull and ears beyond the face), not a much larger blob.
    const tolerance = 3;
    expect(overlay.mask.minX).toBeLessThanOrEqual(overlay.face.minX + tolerance);
    expect(overlay.mask.maxX).toBeGreaterThanOrEqual(overlay.face.maxX - tolerance);
    expect(overlay.mask.minY).toBeLessThanOrEqual(overlay.face.minY + tolerance);
    expect(overlay.mask.maxY).toBeGreaterThanOrEqual(overlay.face.maxY - tolerance);
    const faceArea = (overlay.face.maxX - overlay.face.minX) * (overlay.face.maxY - overlay.face.minY);
    expect(overlay.mask.area).toBeLessThan(3.5 * faceArea); // about 2.3 here: the skull above the brows adds the most

    // The streamed canvas shows the mask: skin-coloured pixels where the face is.
    const output = await page.locator('#output').screenshot();
    expect((await pngStats(page, output, [0, 0, 0])).skin).toBeGreaterThan(0.05);

    // The MediaStream goes through a real RTCPeerConnection pair and plays on the other side.
    expect(await page.evaluate(() => window.example.stream!.getVideoTracks()[0]!.readyState)).toBe('live');
    await page.click('#call');
    await page.waitForFunction(() => {
      const remote = document.getElementById('remote') as HTMLVideoElement;
      return remote.videoWidth > 0 && remote.currentTime > 0.5;
    }, null, { timeout: 30_000 });
    await page.locator('#remote').screenshot({ path: `${artifactsDir}/examples-video-call-filter-received.png` });
    await page.screenshot({ path: `${artifactsDir}/examples-video-call-filter-page.png`, fullPage: true });
    expect(realErrors(page.consoleErrors)).toEqual([]);
    await page.close();
  });

  it('expression recorder: records the resting face (at start and on Rest face), records a take and downloads JSON, CSV and GLB that read back', async () => {
    const page = await startExample(session, 'expression-recorder');
    // The resting face: recorded at start, then again on the button.
    await page.waitForFunction(() => /recorded at/.test(document.getElementById('neutral-state')!.textContent!), null, { timeout: 60_000 });
    await page.click('#neutral');
    await page.waitForFunction(() => /relax/.test(document.getElementById('neutral-state')!.textContent!), null, { timeout: 5_000 });
    await page.waitForFunction(() => /recorded at/.test(document.getElementById('neutral-state')!.textContent!), null, { timeout: 60_000 });
    const saved = await page.evaluate(() => JSON.parse(localStorage.getItem('pixel3dmm-neutral')!) as number[]);
    expect(saved).toHaveLength(52);
    expect(saved.every(Number.isFinite)).toBe(true);
    await page.click('#record');
    await page.waitForFunction(() => /recording: ([5-9]|\d\d+) frames/.test(document.getElementById('take')!.textContent!), null, { timeout: 60_000 });
    await page.click('#stop');
    await page.screenshot({ path: `${artifactsDir}/examples-expression-recorder-page.png`, fullPage: true });
    const downloaded = async (button: string) => {
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click(button)]);
      return readFileSync((await download.path())!);
    };
    const json = JSON.parse((await downloaded('#json')).toString('utf8')) as TakeJSON;
    const csv = (await downloaded('#csv')).toString('utf8').trimEnd().split('\n');
    const glb = await downloaded('#glb');

    expect(json.format).toBe(TAKE_FORMAT);
    expect(json.frames.length).toBeGreaterThanOrEqual(5);
    expect(json.model.expressionNames).toHaveLength(53);
    expect(csv[0]).toBe(LIVE_LINK_CSV_HEADER.join(','));
    expect(csv).toHaveLength(json.frames.length + 1);

    // The GLB, as three.js loads it, animates the face with the recorded expression.
    const gltf = await new GLTFLoader().setMeshoptDecoder(MeshoptDecoder).parseAsync(glb.buffer.slice(glb.byteOffset, glb.byteOffset + glb.byteLength) as ArrayBuffer, '');
    const clip = gltf.animations.find((a) => a.name === 'take')!;
    const mesh = gltf.scene.getObjectByProperty('isMesh', true) as Mesh;
    const weights = clip.tracks.find((t) => t.name === `${mesh.name}.morphTargetInfluences`)!;
    const targets = mesh.morphTargetInfluences!.length;
    expect(weights.times.length).toBe(json.frames.length);
    const last = json.frames.length - 1;
    json.frames[last]!.expression.forEach((e, k) => expect(weights.values[last * targets + k]).toBeCloseTo(e, 5)); // the identity is baked into the mesh
    expect(realErrors(page.consoleErrors)).toEqual([]);
    await page.close();
  });
});
