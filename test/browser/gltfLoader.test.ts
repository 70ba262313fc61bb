import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceModel } from '../../src/core/model/FaceModel.js';
import { readFaceModel } from '../../src/core/model/readFaceModel.js';
import { artifactsDir, startBrowserSession, type BrowserSession } from './harness.js';

/**
 * The page: three.js's own GLTFLoader with its MeshoptDecoder, straight from node_modules, loads
 * the bundled model and exposes what it loaded plus a renderer for screenshots.
 */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8" />
<script type="importmap">{"imports": {"three": "/node_modules/three/build/three.module.js", "three/addons/": "/node_modules/three/examples/jsm/"}}</script>
<script type="module">
import * as THREE from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
import { MeshoptDecoder } from 'three/addons/libs/meshopt_decoder.module.js';

window.faceModel = (async () => {
  const gltf = await new GLTFLoader().setMeshoptDecoder(MeshoptDecoder).loadAsync('/models/face-default.glb');
  let mesh;
  gltf.scene.traverse((o) => { if (o.isMesh) mesh = o; });
  gltf.scene.updateMatrixWorld(true);
  // Quantized files carry their dequantization as the node's (uniform) scale.
  const scale = new THREE.Vector3();
  mesh.matrixWorld.decompose(new THREE.Vector3(), new THREE.Quaternion(), scale);
  const morphs = mesh.geometry.morphAttributes.position;

  const renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  renderer.setSize(512, 512);
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0x202428);
  scene.add(gltf.scene);
  scene.add(new THREE.HemisphereLight(0xffffff, 0x404040, 1.5));
  const key = new THREE.DirectionalLight(0xffffff, 2.5);
  key.position.set(30, 40, 80);
  scene.add(key);
  mesh.material = new THREE.MeshStandardMaterial({ color: 0xd9a88c, roughness: 0.7 });
  const camera = new THREE.PerspectiveCamera(28, 1, 1, 500);
  camera.position.set(0, 3, 75);
  camera.lookAt(0, 1, 0);

  return {
    info: (samples) => ({
      vertexCount: mesh.geometry.attributes.position.count,
      targetCount: morphs.length,
      influenceCount: mesh.morphTargetInfluences.length,
      relative: mesh.geometry.morphTargetsRelative,
      dictionary: mesh.morphTargetDictionary,
      deltas: samples.map(([target, vertex]) => {
        const a = morphs[target];
        return [a.getX(vertex) * scale.x, a.getY(vertex) * scale.y, a.getZ(vertex) * scale.z];
      }),
    }),
    render: (weights) => {
      mesh.morphTargetInfluences.fill(0);
      for (const [name, w] of Object.entries(weights)) mesh.morphTargetInfluences[mesh.morphTargetDictionary[name]] = w;
      renderer.render(scene, camera);
      return renderer.domElement.toDataURL('image/png');
    },
  };
})();
</script></head><body style="margin:0"></body></html>`;

interface PageModel {
  info(samples: [number, number][]): {
    vertexCount: number;
    targetCount: number;
    influenceCount: number;
    relative: boolean;
    dictionary: Record<string, number>;
    deltas: number[][];
  };
  render(weights: Record<string, number>): string;
}
declare const faceModel: Promise<PageModel>;

/**
 * Opens the page and returns it with a check: no page errors and no failed request (three.js,
 * the decoder, the model). Chromium's own favicon request on navigation 404s, so resource-load
 * console messages are judged by the requests themselves.
 */
async function openPage(session: BrowserSession) {
  const page = await session.open('/test/browser/pages/blank.html');
  const failed: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  await page.setContent(PAGE);
  const problems = () => [...failed, ...page.consoleErrors.filter((e) => !e.startsWith('Failed to load resource'))];
  return { page, problems };
}

describe('models/face-default.glb in three.js', () => {
  let session: BrowserSession;
  let model: FaceModel;
  beforeAll(async () => {
    session = await startBrowserSession({ webgpu: false });
    model = await readFaceModel(new Uint8Array(readFileSync(new URL('../../models/face-default.glb', import.meta.url))));
  });
  afterAll(async () => session?.close());

  it('loads through GLTFLoader + MeshoptDecoder with every morph target, named, and the same deltas as readFaceModel', async () => {
    const { page, problems } = await openPage(session);
    const names = [...model.identity.names, ...model.expression.names];
    const n = model.vertexCount;
    // Each sampled target at its most-moved vertex and at a fixed one.
    const samples: [number, number][] = [0, 37, 99, 100, 126, 152].flatMap((t) => {
      const deltas = t < 100 ? model.identity.deltas.subarray(t * n * 3, (t + 1) * n * 3) : model.expression.deltas.subarray((t - 100) * n * 3, (t - 99) * n * 3);
      let most = 0;
      for (let v = 1; v < n; v++) if (Math.abs(deltas[3 * v + 1]!) > Math.abs(deltas[3 * most + 1]!)) most = v;
      return [[t, most], [t, 4321]] as [number, number][];
    });
    const info = await page.evaluate(async (s) => (await faceModel).info(s), samples);
    expect(problems()).toEqual([]);
    expect(info).toMatchObject({ vertexCount: n, targetCount: names.length, influenceCount: names.length, relative: true });
    expect(Object.keys(info.dictionary).sort()).toEqual([...names].sort());
    names.forEach((name, k) => expect(info.dictionary[name]).toBe(k));
    samples.forEach(([t, v], i) => {
      const group = t < 100 ? model.identity.deltas : model.expression.deltas;
      const row = (t < 100 ? t : t - 100) * n * 3;
      // Both decode the same 16-bit integers; only float rounding may differ (a quantization step is 5e-4 cm).
      for (let c = 0; c < 3; c++) expect(info.deltas[i]![c]!).toBeCloseTo(group[row + 3 * v + c]!, 5);
    });
  });

  it('renders as a face, neutral and with jawOpen + eyeBlinkLeft (screenshots in test-results/)', async () => {
    const { page, problems } = await openPage(session);
    const shots: Record<string, Record<string, number>> = {
      'default-model-neutral': {},
      'default-model-jawOpen-eyeBlinkLeft': { jawOpen: 1, eyeBlinkLeft: 1 },
    };
    const sizes: number[] = [];
    for (const [file, weights] of Object.entries(shots)) {
      const url = await page.evaluate(async (w) => (await faceModel).render(w), weights);
      const png = Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
      writeFileSync(`${artifactsDir}/${file}.png`, png);
      sizes.push(png.length);
    }
    expect(problems()).toEqual([]);
    // A drawn face compresses far worse than an empty background (a few kB); the two poses differ.
    expect(Math.min(...sizes)).toBeGreaterThan(30_000);
    expect(sizes[0]).not.toBe(sizes[1]);
  });
});
