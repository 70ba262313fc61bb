/**
 * The soak (issue 14, long runs), driven from Node over Playwright and the DevTools protocol: a
 * tracker live on a fake webcam (Chromium loops the .y4m it is given) for many frames with the
 * page's and the tracking worker's JS heaps sampled (the least of 3 readings, each after a forced
 * GC) every few hundred frames;
 * then start/stop cycles on that tracker and create/dispose cycles, each checked for what it
 * leaves behind. `npm run bench -- soak` runs it long, test/browser/soak.test.ts short.
 *
 * What is observable here and checked: worker targets (DevTools), camera tracks not ended (every
 * stream getUserMedia gave, wrapped on the page), FaceTracker objects still reachable and
 * WebAssembly instances on the page (DevTools `queryObjects` after a GC). MediaPipe's and ONNX
 * Runtime's WASM instances and any GPU buffers live in the workers: a terminated worker takes
 * them with it, so "no worker left" is the check for those (the soak runs without WebGPU).
 */
import type { Browser, CDPSession, Page } from 'playwright-core';

export interface SoakOptions {
  /** Frames to track live. */
  frames: number;
  /** Heaps are sampled each time this many more frames have been tracked. */
  sampleEveryFrames: number;
  /** Growth is measured from the first sample at or after this many frames (start-up allocations are not growth). */
  warmupFrames: number;
  startStopCycles: number;
  createDisposeCycles: number;
  /** Progress lines on stderr. */
  log?: (line: string) => void;
}

export interface HeapSample {
  frames: number;
  pageHeapBytes: number;
  workerHeapBytes: number;
}

/** What is left after the cycles, beyond what the page held before the first tracker (all 0 when nothing leaks). */
export interface Leftovers {
  workers: number;
  liveCameraTracks: number;
  faceTrackers: number;
  pageWasmInstances: number;
}

export interface SoakReport {
  frames: number;
  heap_growth_pct: number;
  worker_heap_growth_pct: number;
  errors: number;
  max_latency_ms: number;
  start_stop_cycles_ok: string;
  create_dispose_cycles_ok: string;
  samples: HeapSample[];
  errorMessages: string[];
  /** Failed cycles, each with why. */
  cycleFailures: string[];
  leftovers: Leftovers;
}

/** State the page keeps for the soak (on window.__soak). */
interface PageSoak {
  tracker: import('../../src/index.js').FaceTracker | null;
  frames: number;
  maxLatencyMsAfterWarmup: number;
  errors: string[];
  cameraTracks: MediaStreamTrack[];
}
type SoakWindow = Window & { __soak: PageSoak; pixel3dmm: typeof import('../../src/index.js') };

const MEDIAPIPE_INFO = /^INFO: Created TensorFlow Lite XNNPACK delegate/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the soak on `page` (the test page with the built SDK on `window.pixel3dmm`, in a browser
 * with a fake webcam and `--js-flags=--expose-gc`).
 */
export async function runSoak(browser: Browser, page: Page, options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => {});
  const pageCdp = await page.context().newCDPSession(page);
  const workers = new WorkerHeapProbe(await browser.newBrowserCDPSession());
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    // MediaPipe prints its start-up INFO line on stderr, which the console shows as an error.
    if (m.type() === 'error' && !MEDIAPIPE_INFO.test(m.text())) pageErrors.push(m.text());
  });

  // The page's own WASM (the record entry's meshopt decoder) and such: leftovers are counted beyond these.
  const baseline = await countLeftovers(page, pageCdp, workers);
  await page.evaluate(async (warmupFrames) => {
    const w = window as unknown as SoakWindow;
    const soak: PageSoak = { tracker: null, frames: 0, maxLatencyMsAfterWarmup: 0, errors: [], cameraTracks: [] };
    w.__soak = soak;
    // Every camera stream the tracker opens, to check that stop() and dispose() end its tracks.
    const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await getUserMedia(constraints);
      soak.cameraTracks.push(...stream.getTracks());
      return stream;
    };
    const tracker = await w.pixel3dmm.FaceTracker.create({ cache: false });
    soak.tracker = tracker;
    tracker.addEventListener('frame', (e) => {
      soak.frames++;
      if (soak.frames > warmupFrames) soak.maxLatencyMsAfterWarmup = Math.max(soak.maxLatencyMsAfterWarmup, e.detail.timings.latencyMs);
    });
    tracker.addEventListener('error', (e) => soak.errors.push(`${e.detail.code}: ${e.detail.message}`));
    await tracker.start();
  }, options.warmupFrames);

  // The long run: sample both heaps every `sampleEveryFrames` frames.
  const samples: HeapSample[] = [];
  const framesNow = () => page.evaluate(() => (window as unknown as SoakWindow).__soak.frames);
  let frames = 0;
  let lastProgress = Date.now();
  for (let next = options.sampleEveryFrames; frames < options.frames; ) {
    await sleep(200);
    const now = await framesNow();
    if (now > frames) lastProgress = Date.now();
    if (Date.now() - lastProgress > 30_000) throw new Error(`the live tracker stalled at ${now} frames`);
    frames = now;
    if (frames >= next || frames >= options.frames) {
      const sample = { frames, pageHeapBytes: await pageHeap(pageCdp), workerHeapBytes: await workers.heapBytes() };
      samples.push(sample);
      log(`${frames} frames: page heap ${(sample.pageHeapBytes / 1e6).toFixed(2)} MB, worker heap ${(sample.workerHeapBytes / 1e6).toFixed(2)} MB`);
      next = frames + options.sampleEveryFrames;
    }
  }
  const live = await page.evaluate(() => {
    const soak = (window as unknown as SoakWindow).__soak;
    soak.tracker!.stop();
    return { frames: soak.frames, maxLatencyMs: soak.maxLatencyMsAfterWarmup };
  });

  const cycleFailures: string[] = [];
  // start/stop on the live tracker: each cycle tracks a frame, and leaves one worker and no camera track running.
  let startStopOk = 0;
  for (let i = 0; i < options.startStopCycles; i++) {
    const cycle = await page.evaluate(async () => {
      const soak = (window as unknown as SoakWindow).__soak;
      const before = soak.frames;
      await soak.tracker!.start();
      for (let t = 0; t < 100 && soak.frames === before; t++) await new Promise((r) => setTimeout(r, 50));
      soak.tracker!.stop();
      return { tracked: soak.frames > before, liveTracks: soak.cameraTracks.filter((t) => t.readyState === 'live').length };
    });
    const workerCount = await workers.count();
    if (cycle.tracked && cycle.liveTracks === 0 && workerCount === 1) startStopOk++;
    else cycleFailures.push(`start/stop ${i}: tracked ${cycle.tracked}, live camera tracks ${cycle.liveTracks}, workers ${workerCount}`);
  }
  log(`start/stop cycles ok: ${startStopOk}/${options.startStopCycles}`);

  // create/dispose: a fresh tracker each time, live for a frame, disposed: no worker, track or tracker object left.
  await page.evaluate(() => {
    const soak = (window as unknown as SoakWindow).__soak;
    soak.tracker!.dispose();
    soak.tracker = null;
  });
  let createDisposeOk = 0;
  let leftovers: Leftovers = { workers: 0, liveCameraTracks: 0, faceTrackers: 0, pageWasmInstances: 0 };
  for (let i = 0; i < options.createDisposeCycles; i++) {
    const tracked = await page.evaluate(async () => {
      const w = window as unknown as SoakWindow;
      // Cached model and runtimes after the first tracker, as an app re-creating one would have them.
      const tracker = await w.pixel3dmm.FaceTracker.create();
      let frames = 0;
      tracker.addEventListener('frame', () => frames++);
      tracker.addEventListener('error', (e) => w.__soak.errors.push(`${e.detail.code}: ${e.detail.message}`));
      await tracker.start();
      for (let t = 0; t < 100 && frames === 0; t++) await new Promise((r) => setTimeout(r, 50));
      tracker.dispose();
      return frames > 0;
    });
    const now = await countLeftovers(page, pageCdp, workers);
    leftovers = { workers: now.workers - baseline.workers, liveCameraTracks: now.liveCameraTracks - baseline.liveCameraTracks, faceTrackers: now.faceTrackers - baseline.faceTrackers, pageWasmInstances: now.pageWasmInstances - baseline.pageWasmInstances };
    const clean = Object.values(leftovers).every((n) => n === 0);
    if (tracked && clean) createDisposeOk++;
    else cycleFailures.push(`create/dispose ${i}: tracked ${tracked}, left ${JSON.stringify(leftovers)}`);
  }
  log(`create/dispose cycles ok: ${createDisposeOk}/${options.createDisposeCycles}`);

  const errors = [...(await page.evaluate(() => (window as unknown as SoakWindow).__soak.errors)), ...pageErrors];
  const warm = samples.find((s) => s.frames >= options.warmupFrames) ?? samples[0]!;
  const last = samples[samples.length - 1]!;
  const growthPct = (a: number, b: number) => +((100 * (b - a)) / a).toFixed(2);
  await workers.close();
  return {
    frames: live.frames,
    heap_growth_pct: growthPct(warm.pageHeapBytes, last.pageHeapBytes),
    worker_heap_growth_pct: growthPct(warm.workerHeapBytes, last.workerHeapBytes),
    errors: errors.length,
    max_latency_ms: +live.maxLatencyMs.toFixed(1),
    start_stop_cycles_ok: `${startStopOk}/${options.startStopCycles}`,
    create_dispose_cycles_ok: `${createDisposeOk}/${options.createDisposeCycles}`,
    samples,
    errorMessages: errors,
    cycleFailures,
    leftovers,
  };
}

/** Readings per heap sample: the least is kept, so a frame in flight at one reading does not count as growth. */
const READINGS = 3;

/** The least of `READINGS` readings, each after a full GC. */
async function leastOf(read: () => Promise<number>): Promise<number> {
  let least = Infinity;
  for (let i = 0; i < READINGS; i++) least = Math.min(least, await read());
  return least;
}

/** The page's used JS heap after a full GC, bytes. */
async function pageHeap(cdp: CDPSession): Promise<number> {
  return leastOf(async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  });
}

/** What a disposed tracker could leave behind, after a GC (workers take a moment to go: polled for up to 3 s). */
async function countLeftovers(page: Page, cdp: CDPSession, workers: WorkerHeapProbe): Promise<Leftovers> {
  let workerCount = await workers.count();
  for (let t = 0; t < 30 && workerCount > 0; t++) {
    await sleep(100);
    workerCount = await workers.count();
  }
  await cdp.send('HeapProfiler.collectGarbage');
  const liveCameraTracks = await page.evaluate(() => ((window as unknown as SoakWindow).__soak?.cameraTracks ?? []).filter((t) => t.readyState === 'live').length);
  return {
    workers: workerCount,
    liveCameraTracks,
    faceTrackers: await countInstances(cdp, 'window.pixel3dmm.FaceTracker.prototype'),
    pageWasmInstances: await countInstances(cdp, 'WebAssembly.Instance.prototype'),
  };
}

/** Objects on the page's heap with this prototype (DevTools `queryObjects`). */
async function countInstances(cdp: CDPSession, prototypeExpression: string): Promise<number> {
  const proto = await cdp.send('Runtime.evaluate', { expression: prototypeExpression });
  const found = await cdp.send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId! });
  const count = await cdp.send('Runtime.callFunctionOn', { objectId: found.objects.objectId!, functionDeclaration: 'function () { return this.length; }', returnByValue: true });
  await cdp.send('Runtime.releaseObject', { objectId: found.objects.objectId! });
  return count.result.value as number;
}

/**
 * The tracking worker seen from the browser's DevTools session: how many worker targets there
 * are, and the worker's JS heap after a GC (through a session attached to it; Playwright gives
 * workers no DevTools session of their own).
 */
class WorkerHeapProbe {
  private attached?: { targetId: string; sessionId: string };
  private readonly replies = new Map<number, { result?: { usedSize?: number }; error?: unknown }>();
  private nextId = 0;

  constructor(private readonly cdp: CDPSession) {
    cdp.on('Target.receivedMessageFromTarget', (e) => {
      const message = JSON.parse(e.message) as { id?: number; result?: { usedSize?: number }; error?: unknown };
      if (message.id) this.replies.set(message.id, message);
    });
  }

  async count(): Promise<number> {
    return (await this.workerTargets()).length;
  }

  async heapBytes(): Promise<number> {
    const [target] = await this.workerTargets();
    if (!target) throw new Error('no tracking worker to sample');
    if (this.attached?.targetId !== target.targetId) {
      const { sessionId } = await this.cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
      this.attached = { targetId: target.targetId, sessionId };
    }
    return leastOf(async () => {
      await this.send('HeapProfiler.collectGarbage');
      return (await this.send('Runtime.getHeapUsage')).usedSize!;
    });
  }

  async close(): Promise<void> {
    await this.cdp.detach();
  }

  private async workerTargets() {
    const { targetInfos } = await this.cdp.send('Target.getTargets');
    return targetInfos.filter((t) => t.type === 'worker');
  }

  private async send(method: string): Promise<{ usedSize?: number }> {
    const id = ++this.nextId;
    await this.cdp.send('Target.sendMessageToTarget', { sessionId: this.attached!.sessionId, message: JSON.stringify({ id, method }) });
    for (let t = 0; t < 600 && !this.replies.has(id); t++) await sleep(10);
    const reply = this.replies.get(id);
    this.replies.delete(id);
    if (!reply?.result) throw new Error(`the worker did not answer ${method}: ${JSON.stringify(reply?.error ?? 'timed out')}`);
    return reply.result;
  }
}
