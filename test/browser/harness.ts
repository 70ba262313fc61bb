/**
 * Shared helper for browser tests: serves the repository root on loopback (COOP/COEP headers)
 * and opens pages in Debian's headless Chromium. The CLI uses the same server and launcher.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, serveDirectory, type ChromiumOptions, type StaticServer } from '../../scripts/cli/browser.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** Screenshots and other artifacts of browser tests (git-ignored). */
export const artifactsDir = `${repoRoot}test-results`;

export interface BrowserSession {
  server: StaticServer;
  browser: Browser;
  /** Opens `path` (relative to the repo root, e.g. '/test/browser/pages/x.html') and collects console errors. */
  open(path: string): Promise<Page & { consoleErrors: string[] }>;
  close(): Promise<void>;
}

export async function startBrowserSession(options: ChromiumOptions = {}): Promise<BrowserSession> {
  mkdirSync(artifactsDir, { recursive: true });
  const server = await serveDirectory(repoRoot);
  const browser = await launchChromium(options);
  return {
    server,
    browser,
    async open(path) {
      const page = (await browser.newPage()) as Page & { consoleErrors: string[] };
      page.consoleErrors = [];
      page.on('console', (m) => {
        if (m.type() === 'error') page.consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => page.consoleErrors.push(String(e)));
      await page.goto(`${server.url}${path}`);
      // Test pages that load the SDK publish it as window.pixel3dmm.
      if (path.startsWith('/test/browser/pages/')) await page.waitForFunction(() => 'pixel3dmm' in window, undefined, { timeout: 30_000 });
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
