/**
 * Damaged model files in headless Chromium: each of the files `create` loads (the face model
 * .glb, MediaPipe's .task, the prior's .onnx) with a right header but a damaged or cut-off body,
 * so it passes the download's file-kind check and fails where it is parsed (the worker,
 * MediaPipe's WASM, ONNX Runtime). `create` must reject with a typed error that names the file,
 * not a raw WASM abort or a hang, and leave no worker running.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startBrowserSession, type BrowserSession } from './harness.js';

const DIR = 'test-results/faults';

/** Every byte from `from` to `to` XOR-ed with 0xA5: the same length, garbage inside. */
function scramble(bytes: Buffer, from: number, to: number): Buffer {
  const out = Buffer.from(bytes);
  for (let i = from; i < to; i++) out[i] = out[i]! ^ 0xa5;
  return out;
}

/** The face model cut to 60 %, its header's length patched to match: a whole-looking file whose chunks end early. */
function truncatedGlb(glb: Buffer): Buffer {
  const out = Buffer.from(glb.subarray(0, Math.floor(glb.length * 0.6)));
  out.writeUInt32LE(out.length, 8);
  return out;
}

interface Outcome {
  /** 'created', the rejection's code, or 'hung'. */
  result: string;
  message?: string;
  details?: Record<string, unknown>;
  /** Workers alive in the page after create settled. */
  workers: number;
}

describe('damaged model files', () => {
  let session: BrowserSession;
  const url = (name: string) => `/${DIR}/${name}`;
  beforeAll(async () => {
    mkdirSync(join(repoRoot, DIR), { recursive: true });
    const glb = readFileSync(join(repoRoot, 'models/face-default.glb'));
    const task = readFileSync(join(repoRoot, 'models/mediapipe/face_landmarker.task'));
    const onnx = readFileSync(join(repoRoot, 'models/test-networks/tiny-vit-128.onnx'));
    const jsonChunk = 20 + glb.readUInt32LE(12);
    writeFileSync(join(repoRoot, DIR, 'truncated.glb'), truncatedGlb(glb));
    writeFileSync(join(repoRoot, DIR, 'damaged-json.glb'), scramble(glb, 20, jsonChunk));
    // The zip's entries damaged, its directory (the last 64 KiB) intact: it passes the .task check.
    writeFileSync(join(repoRoot, DIR, 'damaged.task'), scramble(task, 100, task.length - 70_000));
    writeFileSync(join(repoRoot, DIR, 'damaged.onnx'), scramble(onnx, 20, onnx.length));
    writeFileSync(join(repoRoot, DIR, 'truncated.onnx'), onnx.subarray(0, onnx.length >> 1));
    session = await startBrowserSession({ webgpu: false });
  }, 120_000);
  afterAll(async () => session?.close());

  /** FaceTracker.create with `options` in a fresh page; counts the page's workers once it settled. */
  async function create(options: Record<string, unknown>): Promise<Outcome> {
    const page = await session.open('/test/browser/pages/blank.html');
    try {
      const outcome = await page.evaluate(async (options) => {
        const { FaceTracker } = (window as unknown as { pixel3dmm: typeof import('../../src/index.js') }).pixel3dmm;
        const created = FaceTracker.create({ cache: false, ...options }).then(
          (t) => {
            (window as unknown as { tracker: unknown }).tracker = t;
            return { result: 'created' };
          },
          (e: { code?: string; message: string; details?: Record<string, unknown> }) => ({ result: `${e.code}`, message: e.message, details: e.details }),
        );
        return Promise.race([created, new Promise<{ result: string }>((r) => setTimeout(() => r({ result: 'hung' }), 60_000))]);
      }, options);
      // A terminated worker leaves the page's list when its close reaches the page: give it a moment.
      if (outcome.result !== 'created') await expect.poll(() => page.workers().length, { timeout: 5000 }).toBe(0).catch(() => undefined);
      return { ...outcome, workers: page.workers().length };
    } finally {
      await page.close();
    }
  }

  it('sees the workers of a tracker that did start (so that "no worker left" below means something)', async () => {
    const out = await create({ prior: { onnx: '/models/test-networks/tiny-vit-128.onnx' } });
    expect(out.result).toBe('created');
    expect(out.workers).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['a truncated face model', { model: url('truncated.glb') }, 'truncated.glb', /^Could not use \S+truncated\.glb: The face model file is damaged \(.+\): replace it with an intact copy/],
    ['a face model with a damaged JSON chunk', { model: url('damaged-json.glb') }, 'damaged-json.glb', /^Could not use \S+damaged-json\.glb: The face model file is damaged \(.+\): replace it/],
  ])('rejects %s with model-format naming the file, and leaves no worker', async (_, options, file, message) => {
    const out = await create(options);
    expect(out.workers).toBe(0);
    expect(out.result).toBe('model-format');
    expect(out.message).toMatch(message);
    expect(String(out.details?.url)).toContain(file);
  });

  it.each([
    ['in the worker (then on the page, the fallback)', 'auto'],
    ['on the page, after the worker started', 'main-thread'],
  ])('rejects a damaged MediaPipe task that fails %s with model-format naming the file, without MediaPipe\'s C++ trace, and leaves no worker', async (_, landmarks) => {
    const out = await create({ landmarker: url('damaged.task'), landmarks });
    expect(out.workers).toBe(0);
    expect(out.result).toBe('model-format');
    expect(out.message).toMatch(/^Could not use \S+damaged\.task: MediaPipe FaceLandmarker could not start.*Unable to read the file in zip archive.*Check the \.task file\.$/s);
    expect(out.message).not.toMatch(/Source Location Trace|third_party/);
    expect(out.details).toMatchObject({ stage: 'landmarker' });
    expect(String(out.details?.url)).toContain('damaged.task');
  });

  it.each([
    ['a damaged prior', 'damaged.onnx'],
    ['a truncated prior', 'truncated.onnx'],
  ])('rejects %s with prior-format naming the file, and leaves no worker (the prior worker included)', async (_, file) => {
    const out = await create({ prior: { onnx: url(file) } });
    expect(out.workers).toBe(0);
    expect(out.result).toBe('prior-format');
    expect(out.message).toMatch(new RegExp(`^Could not use \\S+${file.replace('.', '\\.')}: The prior model is not an ONNX file, or a damaged one \\(.+\\): replace it with an intact copy`));
    expect(String(out.details?.url)).toContain(file);
  });
});
