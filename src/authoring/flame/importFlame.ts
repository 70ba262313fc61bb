import { modelFormatError, TrackerError } from '../../core/errors.js';
import { parseObj, type ObjMesh } from '../geometry/parseObj.js';
import type { FaceModel } from '../../core/model/FaceModel.js';
import { asNdArray } from '../pickle/knownObjects.js';
import { describePyValue, type PyValue } from '../pickle/pyValues.js';
import { readPickle } from '../pickle/readPickle.js';
import { placeOnModel, readFlameLandmarkFile, replacePoints, type LandmarkFileUse } from './flameLandmarkFiles.js';
import { flameLandmarks, type FlameLandmarks, type LandmarkSources } from './flameLandmarks.js';
import { flameToFaceModel } from './flameToFaceModel.js';
import { readFlameModel } from './readFlameModel.js';

export interface FlameFiles {
  /** generic_model.pkl (FLAME 2020) or flame2023*.pkl, as bytes. */
  readonly model: Uint8Array;
  /** head_template.obj, as text. */
  readonly uvTemplate: string;
  /** FLAME_masks.pkl, as bytes: its 'face' region becomes the fitting region. */
  readonly masks?: Uint8Array;
  /** The model file's name, recorded as the model's source. */
  readonly source: string;
  /**
   * The bundled default model and MediaPipe's canonical face: they give the FLAME model the
   * MediaPipe embedding the tracker needs (and the 68 points, and the fitting region unless
   * `masks` gives one; see `flameLandmarks`). Without them the model can be posed and rendered,
   * not tracked.
   */
  readonly landmarks?: LandmarkSources;
  /**
   * FLAME's own landmark embeddings (`--landmarks`; see `flameLandmarkFiles`): a Multi-PIE one
   * (68 points, or the 51 without the jaw line) and/or MediaPipe's (105 points). Their points
   * replace the registration's; the rest stay. Needs `landmarks`.
   */
  readonly landmarkFiles?: readonly { readonly name: string; readonly bytes: Uint8Array }[];
}

/** A FLAME face model and, when it was registered, how well the default model's face fitted FLAME's (mm). */
export interface ImportedFlame {
  model: FaceModel;
  registration?: FlameLandmarks['report'];
  /** How well FLAME reproduces each ARKit shape carried over from the default model. */
  arkitErrors?: FlameLandmarks['arkitErrors'];
  /** How each of `landmarkFiles` was used, in their order. */
  landmarkFiles?: (LandmarkFileUse & { file: string })[];
}

/**
 * FLAME's files → a `FaceModel` (pure: no file system, runs in Node and browsers alike).
 * Every problem with the inputs is a `model-format` `TrackerError` naming the file at fault.
 */
export function importFlame(files: FlameFiles): ImportedFlame {
  const flame = inFile(files.source, () => readFlameModel(readPickle(files.model)));
  const uvTemplate = inFile('UV template (--uv)', () => parseUvTemplate(files.uvTemplate));
  const faceMask = files.masks && inFile('masks file (--masks)', () => readFaceMask(readPickle(files.masks!), flame.vertexCount));
  const model = flameToFaceModel(flame, uvTemplate, { source: files.source, ...(faceMask && { faceMask }) });
  // FLAME's own landmark files are read and placed before the (slow) registration, so a wrong one fails at once.
  const given = (files.landmarkFiles ?? []).map(({ name, bytes }) =>
    inFile(`landmarks file (--landmarks) ${name}`, () => {
      const file = readFlameLandmarkFile(bytes);
      return { name, file, placed: placeOnModel(file, flame, model) };
    }),
  );
  for (const scheme of ['multipie68', 'mediapipe478'] as const) {
    const same = given.filter((g) => g.file.scheme === scheme);
    if (same.length > 1) throw new TrackerError('invalid-input', `${same.map((g) => g.name).join(' and ')} both define the ${SCHEME_NAMES[scheme]} landmarks: pass one of them.`);
  }
  if (!files.landmarks) {
    if (given.length > 0) throw new TrackerError('invalid-input', "FLAME's landmark files complete the landmarks the registration computes: pass the default model and MediaPipe's canonical face (landmarks) with them.");
    return { model };
  }
  const landmarks = flameLandmarks(model, files.landmarks);
  const embeddings = { multipie68: landmarks.multipie68, mediapipe478: landmarks.mediapipe478 };
  const uses = given.map(({ name, file, placed }) => {
    const { embedding, use } = replacePoints(embeddings[file.scheme], file, placed, model);
    embeddings[file.scheme] = embedding;
    return { ...use, file: name };
  });
  return {
    model: { ...model, ...embeddings, arkitMap: landmarks.arkitMap, arkitProjection: landmarks.arkitProjection, ...(faceMask ? {} : { fittingRegion: landmarks.fittingRegion }) },
    registration: landmarks.report,
    arkitErrors: landmarks.arkitErrors,
    ...(uses.length > 0 && { landmarkFiles: uses }),
  };
}

const SCHEME_NAMES = { multipie68: 'Multi-PIE 68', mediapipe478: "MediaPipe's" } as const;

function parseUvTemplate(text: string): ObjMesh {
  try {
    return parseObj(text);
  } catch (cause) {
    modelFormatError(`${(cause as Error).message}. Pass FLAME's head_template.obj as --uv.`);
  }
}

/** FLAME_masks.pkl: a dict of region name → FLAME vertex indices; we want 'face'. */
function readFaceMask(root: PyValue, vertexCount: number): Float64Array {
  const regions = root instanceof Map ? [...root.keys()].map(String) : [];
  const face = root instanceof Map ? asNdArray(root.get('face')) : undefined;
  if (!face) {
    modelFormatError(
      `No 'face' region in it (it holds ${root instanceof Map ? `regions ${regions.join(', ')}` : describePyValue(root)}). Pass FLAME_masks.pkl from the FLAME website as --masks.`,
    );
  }
  const indices = face.toNumbers();
  if (indices.some((v) => !(Number.isInteger(v) && v >= 0 && v < vertexCount))) {
    modelFormatError(`Its 'face' region refers to vertices outside the model's 0…${vertexCount - 1}. Pass the FLAME_masks.pkl for this FLAME version.`);
  }
  return indices;
}

/** Runs `read`, prefixing any model-format error with the file it concerns. */
function inFile<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof TrackerError && error.code === 'model-format') {
      throw new TrackerError('model-format', `${file}: ${error.message}`, { ...error.details, file }, { cause: error });
    }
    throw error;
  }
}
