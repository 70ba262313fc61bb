import type { Group, Mesh, SkinnedMesh } from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { MeshoptDecoder } from 'three/examples/jsm/libs/meshopt_decoder.module.js';
import { modelFormatError } from '../../core/errors.js';
import { FaceModelEvaluator } from '../../core/model/FaceModelEvaluator.js';
import { FACE_MODEL_FORMAT, FACE_MODEL_VERSION, type FaceModelExtras } from '../../core/model/faceModelSchema.js';
import { fetchAsset, type LoadProgress } from '../tracker/fetchAsset.js';

/** A face-model `.glb` loaded for three.js: what `FaceAvatar` and `Take.toGLB` take. */
export interface LoadedFaceModel {
  /** The glTF scene: the face mesh and, for skinned models, its joints. */
  readonly scene: Group;
  /** The face mesh (a SkinnedMesh for skinned models such as FLAME). */
  readonly mesh: Mesh | SkinnedMesh;
  /** The model's `extras.pixel3dmm` block: groups, units, skeleton, source vertices. */
  readonly extras: FaceModelExtras;
  /** The file itself (exports reuse it). */
  readonly bytes: Uint8Array;
  /**
   * Skinned models only: the model as the fitter evaluates it, for the joint centres that move
   * with identity and expression (glTF has no slot for that).
   */
  readonly evaluator?: FaceModelEvaluator;
}

export interface LoadFaceModelOptions {
  onProgress?: (progress: LoadProgress) => void;
  /** Keep the download in Cache Storage (default true; the tracker shares the cache). */
  cache?: boolean;
}

/** The bundled default model (ICT FaceKit): the file `FaceTracker` uses by default. */
const defaultModelUrl = () => new URL('../models/face-default.glb', import.meta.url).href;

/**
 * Downloads (or reads from Cache Storage) a face-model `.glb` and parses it with three.js.
 * Rejects with `model-fetch` or `model-format` `TrackerError`s.
 */
export async function loadFaceModel(source: string | URL | Uint8Array = defaultModelUrl(), options: LoadFaceModelOptions = {}): Promise<LoadedFaceModel> {
  const bytes = source instanceof Uint8Array ? source : await fetchAsset(String(source), { ...options, kind: 'glb' });
  return parseFaceModel(bytes);
}

/** Parses face-model `.glb` bytes (see `loadFaceModel`). */
export async function parseFaceModel(bytes: Uint8Array): Promise<LoadedFaceModel> {
  const loader = new GLTFLoader().setMeshoptDecoder(MeshoptDecoder);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let scene: Group;
  try {
    scene = (await loader.parseAsync(buffer, '')).scene;
  } catch (cause) {
    modelFormatError(`Not a face model: three.js could not read the file as glTF (${(cause as Error).message}).`);
  }
  let mesh: Mesh | undefined;
  scene.traverse((o) => {
    if (!mesh && (o as Mesh).isMesh && (o as Mesh).userData.pixel3dmm) mesh = o as Mesh;
  });
  if (!mesh) modelFormatError('This .glb is not a pixel3dmm-web face model (no mesh carries extras.pixel3dmm).');
  const extras = mesh.userData.pixel3dmm as FaceModelExtras;
  if (extras.format !== FACE_MODEL_FORMAT || extras.version > FACE_MODEL_VERSION) {
    modelFormatError(`Unsupported face model format ${extras.format} v${extras.version}; this SDK reads ${FACE_MODEL_FORMAT} v${FACE_MODEL_VERSION}.`);
  }
  if (!mesh.morphTargetInfluences || mesh.morphTargetInfluences.length < extras.groups.identity.count + extras.groups.expression.count) {
    modelFormatError('The face model mesh has fewer morph targets than its identity and expression groups name.');
  }
  // Skinned models only: the fitter's reader (glTF-Transform), loaded then, gives the joint regressor three.js has no slot for.
  const evaluator = extras.skeleton ? new FaceModelEvaluator(await (await import('../../core/model/readFaceModel.js')).readFaceModel(bytes)) : undefined;
  return evaluator ? { scene, mesh, extras, bytes, evaluator } : { scene, mesh, extras, bytes };
}
