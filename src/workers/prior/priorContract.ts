/**
 * The ViT prior contract (docs/architecture.md, "The prior contract"), and the checks that
 * refuse a model that does not follow it with a `prior-format` error saying what is wrong.
 *
 * - Input `image` [1, 3, H, W], H = W: RGB in [0, 1], normalised with ImageNet mean/std.
 * - Output `uv` [1, 2, H, W] in [-1, 1]: the face model's UV coordinates as 2·uv − 1 (glTF
 *   convention: u right, v down).
 * - Output `normals` [1, 3, H, W]: unit surface normals in the frame `pixel3dmm.normals_space`
 *   names: `camera` (default; x right, y up, z towards the viewer, as the fitter's camera) or
 *   `model` (the face model's frame, before the head rotation, as Pixel3DMM's networks predict).
 * - Either one model with both outputs, or two models (one per output) as Pixel3DMM ships them.
 * - `metadata_props`: `pixel3dmm.uv_layout` (must equal the face model's `uvLayout`),
 *   `pixel3dmm.input_size` (H), optionally `pixel3dmm.normals_space` (read from the model with the
 *   normals) and `pixel3dmm.uv_mirror_centre` (read from the model with the UVs: the u, in the
 *   output's [-1, 1], about which the layout is mirror-symmetric; mirrored u = 2c − u).
 */
import { TrackerError } from '../../core/errors.js';
import type { NormalsSpace } from '../../core/fit/types.js';
import type { PriorModelBytes } from '../priorProtocol.js';
import { readOnnxMetadata } from './onnx/readOnnxMetadata.js';

export const PRIOR_METADATA_KEYS = {
  uvLayout: 'pixel3dmm.uv_layout',
  inputSize: 'pixel3dmm.input_size',
  normalsSpace: 'pixel3dmm.normals_space',
  uvMirrorCentre: 'pixel3dmm.uv_mirror_centre',
} as const;
const NORMALS_SPACES: readonly NormalsSpace[] = ['camera', 'model'];
export const PRIOR_INPUT = 'image';
export type PriorOutputName = 'uv' | 'normals';
export const PRIOR_OUTPUT_CHANNELS: Record<PriorOutputName, number> = { uv: 2, normals: 3 };

export interface PriorSpec {
  inputSize: number;
  uvLayout: string;
  /** The frame of the `normals` output (`camera` when the model does not say). */
  normalsSpace: NormalsSpace;
  /** The u about which the UV layout is mirror-symmetric, in the output's [-1, 1], when the UV model names it. */
  uvMirrorCentre?: number;
}

/** What the checks need of a loaded session (ONNX Runtime's `InferenceSession` has it). */
export interface SessionSignature {
  inputNames: readonly string[];
  outputNames: readonly string[];
  inputMetadata: readonly { name: string; isTensor: boolean; type?: string; shape?: readonly (number | string)[] }[];
  outputMetadata: readonly { name: string; isTensor: boolean; type?: string; shape?: readonly (number | string)[] }[];
}

const formatError = (message: string, details: Record<string, unknown> = {}) => new TrackerError('prior-format', message, details);

/** Each model file with the outputs the tracker takes from it. */
export function priorModelRoles(models: PriorModelBytes): { bytes: Uint8Array; outputs: PriorOutputName[]; label: string }[] {
  return 'combined' in models
    ? [{ bytes: models.combined, outputs: ['uv', 'normals'], label: 'prior model' }]
    : [
        { bytes: models.uv, outputs: ['uv'], label: 'UV prior model' },
        { bytes: models.normals, outputs: ['normals'], label: 'normal prior model' },
      ];
}

/**
 * Reads each model's metadata before anything is loaded: the UV layout must be the face
 * model's, and every file must agree on the input size. The normals' frame comes from the model
 * with the normals, the UV mirror centre from the one with the UVs.
 */
export function readPriorSpec(models: PriorModelBytes, faceModelUvLayout: string): PriorSpec {
  let inputSize: number | undefined;
  const spec: Partial<PriorSpec> = { uvLayout: faceModelUvLayout };
  for (const { bytes, outputs, label } of priorModelRoles(models)) {
    let metadata: Map<string, string>;
    try {
      metadata = readOnnxMetadata(bytes);
    } catch (cause) {
      throw formatError(`The ${label} is not an ONNX file, or a damaged one (${(cause as Error).message}): replace it with an intact copy (download or convert it again).`);
    }
    const uvLayout = metadata.get(PRIOR_METADATA_KEYS.uvLayout);
    if (!uvLayout) {
      throw formatError(`The ${label} does not name its UV layout (ONNX metadata '${PRIOR_METADATA_KEYS.uvLayout}'); convert it with a tool that writes the prior contract's metadata.`);
    }
    if (uvLayout !== faceModelUvLayout) {
      throw formatError(`The ${label} predicts UVs of the '${uvLayout}' layout, but the face model uses '${faceModelUvLayout}'. Use a prior trained for this face model, or the face model the prior was trained for.`, {
        priorUvLayout: uvLayout,
        modelUvLayout: faceModelUvLayout,
      });
    }
    const size = Number(metadata.get(PRIOR_METADATA_KEYS.inputSize));
    if (!Number.isInteger(size) || size < 16 || size % 16) {
      throw formatError(`The ${label} has no valid input size (ONNX metadata '${PRIOR_METADATA_KEYS.inputSize}', a multiple of 16 px).`, { inputSize: metadata.get(PRIOR_METADATA_KEYS.inputSize) });
    }
    if (inputSize !== undefined && inputSize !== size) throw formatError(`The UV and normal prior models disagree on the input size (${inputSize} vs ${size} px).`);
    inputSize = size;
    // Each file's keys are checked; each is taken from the file with the output it describes.
    const normalsSpace = readNormalsSpace(metadata, label), uvMirrorCentre = readUvMirrorCentre(metadata, label);
    if (outputs.includes('normals')) spec.normalsSpace = normalsSpace;
    if (outputs.includes('uv') && uvMirrorCentre !== undefined) spec.uvMirrorCentre = uvMirrorCentre;
  }
  return { ...spec, inputSize } as PriorSpec;
}

/** `pixel3dmm.normals_space`: `camera` (also when absent) or `model`. */
function readNormalsSpace(metadata: Map<string, string>, label: string): NormalsSpace {
  const value = metadata.get(PRIOR_METADATA_KEYS.normalsSpace) ?? 'camera';
  if (!(NORMALS_SPACES as readonly string[]).includes(value)) {
    throw formatError(`The ${label} names its normals' frame '${value}' (ONNX metadata '${PRIOR_METADATA_KEYS.normalsSpace}'); allowed: ${NORMALS_SPACES.map((s) => `'${s}'`).join(', ')}.`, { normalsSpace: value });
  }
  return value as NormalsSpace;
}

/** `pixel3dmm.uv_mirror_centre`: a number in (-1, 1), or absent. */
function readUvMirrorCentre(metadata: Map<string, string>, label: string): number | undefined {
  const text = metadata.get(PRIOR_METADATA_KEYS.uvMirrorCentre);
  if (text === undefined) return undefined;
  const centre = text.trim() === '' ? NaN : Number(text);
  if (!(Math.abs(centre) < 1)) {
    throw formatError(`The ${label} has no valid UV mirror centre (ONNX metadata '${PRIOR_METADATA_KEYS.uvMirrorCentre}' is '${text}'; allowed: a number in (-1, 1), the output's UV units).`, { uvMirrorCentre: text });
  }
  return centre;
}

/** Checks a loaded session's inputs and outputs against the contract. */
export function checkPriorSession(session: SessionSignature, outputs: PriorOutputName[], spec: Pick<PriorSpec, 'inputSize'>, label: string): void {
  const size = spec.inputSize;
  const input = session.inputMetadata.find((m) => m.name === PRIOR_INPUT);
  if (!input || session.inputNames.length !== 1) {
    throw formatError(`The ${label} must have exactly one input named '${PRIOR_INPUT}'; it has ${JSON.stringify(session.inputNames)}.`, { inputs: [...session.inputNames] });
  }
  checkShape(input, [1, 3, size, size], `input '${PRIOR_INPUT}' of the ${label}`);
  for (const name of outputs) {
    const output = session.outputMetadata.find((m) => m.name === name);
    if (!output) {
      throw formatError(`The ${label} has no output '${name}' (outputs: ${JSON.stringify(session.outputNames)}).`, { missing: name, outputs: [...session.outputNames] });
    }
    checkShape(output, [1, PRIOR_OUTPUT_CHANNELS[name], size, size], `output '${name}' of the ${label}`);
  }
}

/** Fixed dims must match; named (dynamic) dims are accepted. Tensors must be float32. */
function checkShape(value: SessionSignature['inputMetadata'][number], expected: number[], what: string): void {
  if (!value.isTensor || (value.type && value.type !== 'float32')) {
    throw formatError(`The ${what} must be a float32 tensor (got ${value.type ?? 'a non-tensor'}).`);
  }
  const shape = value.shape ?? [];
  const matches = shape.length === expected.length && shape.every((d, i) => typeof d !== 'number' || d === expected[i] || d < 0);
  if (!matches) throw formatError(`The ${what} has shape [${shape.join(', ')}]; the prior contract needs [${expected.join(', ')}].`, { shape: [...shape], expected });
}
