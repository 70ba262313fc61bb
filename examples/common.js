// Small UI helpers shared by the example pages: the status panels (download progress, errors,
// tracker stats, fallbacks) and a lit avatar scene. Nothing here is needed to use the SDK.
import * as THREE from 'three';
import { RoomEnvironment } from 'three/examples/jsm/environments/RoomEnvironment.js';

/** An `onProgress` callback that fills a <progress> and its label, summing every file being downloaded. */
function progressReporter(bar, label) {
  const files = new Map();
  return (p) => {
    files.set(p.url, p);
    const all = [...files.values()];
    const loaded = all.reduce((a, f) => a + f.loaded, 0);
    const total = all.reduce((a, f) => a + (f.total || f.loaded), 0);
    bar.max = total || 1;
    bar.value = loaded;
    const cached = all.every((f) => f.fromCache) ? ' (from cache)' : '';
    label.textContent = `Models: ${(loaded / 1e6).toFixed(1)} / ${(total / 1e6).toFixed(1)} MB${cached}`;
  };
}

/** Shows the tracker's `stats` event (about once a second): tracking rate, latency, dropped frames. */
function showStats(tracker, element) {
  tracker.addEventListener('stats', (e) => {
    const s = e.detail;
    element.textContent = s.faceVisible
      ? `${s.fps} fps · latency ${Math.round(s.latencyMsP50)} ms (p95 ${Math.round(s.latencyMsP95)}) · fit ${s.fitMs.toFixed(1)} ms · dropped ${s.dropped}`
      : `no face · ${s.dropped} dropped`;
  });
}

/** Lists `tracker.info.fallbacks` (backends the browser could not run, and what runs instead). */
function showFallbacks(tracker, element) {
  const notes = tracker.info.fallbacks;
  element.replaceChildren(...(notes.length ? notes : ['none: every stage runs as designed']).map((n) => Object.assign(document.createElement('li'), { textContent: n })));
}

/** Awaits `promise` (creating the tracker, loading a model); a failure is shown in `element` and rethrown: the page cannot go on. */
async function orShowError(element, promise) {
  try {
    return await promise;
  } catch (e) {
    showError(element, e);
    throw e;
  }
}

/** Puts an error where the user sees it (TrackerErrors carry a code and an actionable message). */
function showError(element, error) {
  element.hidden = false;
  element.textContent = error.code ? `${error.code}: ${error.message}` : String(error.message ?? error);
  console.error(error);
}

/** Soft studio lighting: a room environment for reflections plus a key light. */
export function addStudioLights(renderer, scene) {
  const pmrem = new THREE.PMREMGenerator(renderer);
  scene.environment = pmrem.fromScene(new RoomEnvironment(), 0.04).texture;
  scene.environmentIntensity = 0.35;
  pmrem.dispose();
  const key = new THREE.DirectionalLight(0xfff4ea, 1.5);
  key.position.set(0.5, 0.6, 1);
  scene.add(key, new THREE.HemisphereLight(0xdde6ff, 0x3a3028, 0.35));
}

/**
 * The status panels every example page has, by element id: download progress (`progress`,
 * `progress-label`), errors (`error`), stats (`stats`) and fallbacks (`fallbacks`).
 */
export function statusPanels() {
  const byId = (id) => document.getElementById(id);
  const error = byId('error');
  return {
    /** An `onProgress` callback for `FaceTracker.create` and `loadFaceModel`. */
    onProgress: progressReporter(byId('progress'), byId('progress-label')),
    /** Awaits a start-up step (creating the tracker, loading a model); a failure is shown and rethrown: the page cannot go on. */
    orFail: (promise) => orShowError(error, promise),
    /** Shows an error where the user sees it. */
    show: (e) => showError(error, e),
    /** Follows a tracker: its fallbacks, its stats and its `error` events. */
    follow(tracker) {
      showFallbacks(tracker, byId('fallbacks'));
      showStats(tracker, byId('stats'));
      tracker.addEventListener('error', (e) => showError(error, e.detail));
    },
  };
}

/** A lit scene that shows `avatar` head and shoulders on `canvas` (the default model is in cm). */
export function avatarView(canvas, avatar) {
  const renderer = new THREE.WebGLRenderer({ canvas, antialias: true });
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0x24282e);
  addStudioLights(renderer, scene);
  scene.add(avatar);
  const camera = new THREE.PerspectiveCamera(30, 1, 1, 1000);
  camera.position.set(0, 2, 62);
  camera.lookAt(0, 1, 0);
  return { renderer, scene, camera };
}
