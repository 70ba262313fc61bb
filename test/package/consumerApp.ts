/**
 * A fresh app using the packed package, as a user sets one up: README's "In your app" block as
 * its main module (plus a probe the test and the benchmark read), Vite, TypeScript and three from
 * the npm registry. Shared by the consumer test and `npm run bench -- startup`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** What the app installs besides the package (pinned: the test must not drift with the registry). */
const APP_DEPENDENCIES = ['vite@8.4.1', 'typescript@5.9.3', 'three@0.187.0', '@types/three@0.187.0'];

/** README's block of the app's main module (the one after the consumer-test comment). */
function readmeApp(): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const block = /consumer\.test\.ts\) runs this block[^\n]*\n```js\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README has no app block after the consumer-test comment');
  return block[1]!;
}

/** Appended to the app: what the test reads (the app's own variables, by README's names). `firstFrameMs`: page time of the first frame event. */
export const PROBE = `
/** @type {any} */
const probe = { frames: 0, errors: [] };
tracker.addEventListener('frame', () => {
  if (probe.frames++ === 0) probe.firstFrameMs = performance.now();
});
tracker.addEventListener('error', (e) => probe.errors.push(e.detail.code + ': ' + e.detail.message));
probe.exportTake = async () => {
  const take = recorder.stop();
  const glb = await take.toGLB(await loadFaceModel(), { compress: true });
  return { frames: take.frames.length, csvRows: take.toCSV().trim().split('\\n').length - 1, glbBytes: glb.byteLength };
};
/** @type {any} */ (window).consumerProbe = probe;
`;

/** `npm pack` of the built package into `dir`; the tarball's path. */
export function packTarball(dir: string): string {
  if (!existsSync(join(repoRoot, 'dist/index.js'))) throw new Error('dist/ is missing: run npm run build (npm test does)');
  execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: repoRoot });
  return join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!);
}

/** Writes the app into `dir`/app and installs its dependencies and `tarball`; the app's directory. */
export function createConsumerApp(dir: string, tarball: string): string {
  const app = join(dir, 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer-app', private: true, type: 'module' }));
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM', 'DOM.Iterable'], strict: true, allowJs: true, checkJs: true, skipLibCheck: true, noEmit: true }, include: ['src'] }));
  writeFileSync(join(app, 'index.html'), '<!doctype html><html><head><meta charset="utf-8" /><title>consumer</title></head><body><script type="module" src="/src/main.js"></script></body></html>\n');
  writeFileSync(join(app, 'src/main.js'), readmeApp() + PROBE);
  // The plain page: README's import map, the same module, no bundler.
  const importMap = /<script type="importmap">[\s\S]*?<\/script>/.exec(readFileSync(join(repoRoot, 'README.md'), 'utf8'))![0];
  writeFileSync(join(app, 'static.html'), `<!doctype html><html><head><meta charset="utf-8" />${importMap}</head><body><script type="module" src="/src/main.js"></script></body></html>\n`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...APP_DEPENDENCIES, tarball], { cwd: app, stdio: 'inherit' });
  return app;
}
