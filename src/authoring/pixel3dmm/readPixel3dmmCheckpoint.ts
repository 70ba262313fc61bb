/**
 * One of Pixel3DMM's Lightning checkpoints (`uv.ckpt`, `normals.ckpt`) read for conversion: the
 * architecture from its hyper-parameters, and its network's weights checked against it, so that a
 * checkpoint of another architecture is refused with what was expected and what was found.
 */
import { TrackerError } from '../../core/errors.js';
import { describePyValue, type PyValue } from '../pickle/pyValues.js';
import { plainConfig } from '../pytorch/plainConfig.js';
import { readTorchCheckpoint, TorchTensor } from '../pytorch/readTorchCheckpoint.js';
import { pixel3dmmArchitecture, pixel3dmmWeightShapes, unexpectedPixel3dmmWeights, type Pixel3dmmArchitecture } from './pixel3dmmArchitecture.js';
import type { Pixel3dmmWeights } from './pixel3dmmOnnx.js';

export interface Pixel3dmmCheckpoint {
  architecture: Pixel3dmmArchitecture;
  weights: Pixel3dmmWeights;
  /** Parameters the inference forward uses. */
  parameterCount: number;
}

/** Where the Lightning module keeps the network: `system.net`. */
const NETWORK_PREFIX = 'net.';
/** Errors list at most this many keys. */
const LISTED = 8;

const formatError = (message: string, details: Record<string, unknown> = {}): never => {
  throw new TrackerError('prior-format', message, details);
};

const list = (keys: string[]) => keys.slice(0, LISTED).join(', ') + (keys.length > LISTED ? ` and ${keys.length - LISTED} more` : '');

export function readPixel3dmmCheckpoint(bytes: Uint8Array, label: string): Pixel3dmmCheckpoint {
  const checkpoint = readTorchCheckpoint(bytes, label);
  const root = checkpoint.root instanceof Map ? checkpoint.root : undefined;
  const stateDict = root?.get('state_dict');
  if (!root || !(stateDict instanceof Map) || !root.has('hyper_parameters')) {
    const found = root ? [...root.keys()].map(String) : [];
    formatError(
      `${label} is not a PyTorch Lightning checkpoint with saved hyper-parameters (it holds ${root ? `the keys ${list(found) || 'none'}` : describePyValue(checkpoint.root)}). Pass Pixel3DMM's released uv.ckpt and normals.ckpt as downloaded.`,
      { found },
    );
  }
  const architecture = pixel3dmmArchitecture(plainConfig(root!.get('hyper_parameters')), label);

  const tensors = new Map<string, TorchTensor>();
  for (const [key, value] of stateDict as Map<PyValue, PyValue>) {
    if (typeof key === 'string' && key.startsWith(NETWORK_PREFIX) && value instanceof TorchTensor) tensors.set(key.slice(NETWORK_PREFIX.length), value);
  }
  const expected = pixel3dmmWeightShapes(architecture);
  const missing = [...expected.keys()].filter((key) => !tensors.has(key));
  if (missing.length) {
    formatError(`${label} lacks ${missing.length} weights that its configuration (${architecture.backbone}, ${architecture.layers} head layers) needs: ${list(missing.map((k) => NETWORK_PREFIX + k))}. It holds ${tensors.size} network weights; is it one of Pixel3DMM's networks?`, {
      missing: missing.map((k) => NETWORK_PREFIX + k),
    });
  }
  const mismatched = [...expected].filter(([key, shape]) => {
    const found = tensors.get(key)!.shape;
    return found.length !== shape.length || shape.some((n, d) => n >= 0 && n !== found[d]);
  });
  if (mismatched.length) {
    const lines = mismatched.map(([key, shape]) => `${NETWORK_PREFIX}${key} is [${tensors.get(key)!.shape.join(', ')}], expected [${shape.map((n) => (n < 0 ? '*' : n)).join(', ')}]`);
    formatError(`${label} does not match its configuration (${architecture.backbone}): ${list(lines)}.`, { mismatched: lines });
  }
  const unexpected = unexpectedPixel3dmmWeights(architecture, tensors.keys());
  if (unexpected.length) {
    formatError(`${label} has weights the released architecture does not (${list(unexpected.map((k) => NETWORK_PREFIX + k))}): it is a different network, which this importer would convert wrongly.`, {
      unexpected: unexpected.map((k) => NETWORK_PREFIX + k),
    });
  }
  let parameterCount = 0;
  for (const key of expected.keys()) parameterCount += tensors.get(key)!.size;
  return { architecture, weights: (key) => checkpoint.read(tensors.get(key)!), parameterCount };
}
