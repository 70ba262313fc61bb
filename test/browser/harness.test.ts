import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserSession, type BrowserSession } from './harness.js';

describe('browser harness', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await startBrowserSession();
  });
  afterAll(async () => session?.close());

  it('serves cross-origin isolated pages with WebGPU and H.264 decoding available', async () => {
    const page = await session.open('/package.json');
    const caps = await page.evaluate(async () => ({
      isolated: crossOriginIsolated,
      adapter: !!(await (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu?.requestAdapter()),
      h264: (await VideoDecoder.isConfigSupported({ codec: 'avc1.64001f', codedWidth: 1080, codedHeight: 720 })).supported,
    }));
    expect(caps).toEqual({ isolated: true, adapter: true, h264: true });
    const missing = await page.evaluate(async () => (await fetch('/no/such/file')).status);
    expect(missing).toBe(404);
  });
});
