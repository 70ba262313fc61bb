/** The pipeline benchmarks' page (bench/pipeline/page.ts, bundled) in headless Chromium, served from the repository root. */
import type { Page } from 'playwright-core';
import { launchChromium, serveDirectory } from '../../scripts/cli/browser.js';
import { bundleBenchPages } from './bundle.js';

const root = new URL('../..', import.meta.url).pathname;

/** Opens the page once `entry` (a `window` function the page defines) is there; `close` ends the browser and the server. */
export async function openBenchPage(entry: 'runPipelineBench' | 'runInputSizeBench'): Promise<{ page: Page; close: () => Promise<void> }> {
  await bundleBenchPages();
  const server = await serveDirectory(root);
  const browser = await launchChromium({ webgpu: false });
  const close = async () => {
    await browser.close();
    await server.close();
  };
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    await page.goto(`${server.url}/bench/pipeline/page.html`);
    await page.waitForFunction((name) => typeof (window as unknown as Record<string, unknown>)[name] === 'function', entry);
    return { page, close };
  } catch (error) {
    await close();
    throw error;
  }
}
