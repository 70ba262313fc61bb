/**
 * Hyper-parameters as saved in checkpoints, made plain: OmegaConf's `DictConfig`/`ListConfig`
 * (what Hydra and Lightning projects pickle as `hyper_parameters`) unwrapped to objects and
 * arrays, their value nodes to values, Python dicts to objects.
 */
import { PyInstance, type PyValue } from '../pickle/pyValues.js';

export type PlainValue = null | boolean | number | string | PlainValue[] | { [key: string]: PlainValue };

export function plainConfig(value: PyValue | undefined): PlainValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plainConfig);
  if (value instanceof Map) return plainObject(value);
  if (value instanceof PyInstance && value.module.startsWith('omegaconf')) {
    // Containers keep their children in `_content`, value nodes their value in `_val`.
    const state = value.state instanceof Map ? value.state : new Map<PyValue, PyValue>();
    return plainConfig(state.has('_content') ? state.get('_content') : state.get('_val'));
  }
  // A dict subclass (e.g. Lightning's AttributeDict) keeps its items beside its state.
  if (value instanceof PyInstance && value.items.size > 0) return plainObject(value.items);
  return null;
}

function plainObject(map: Map<PyValue, PyValue>): { [key: string]: PlainValue } {
  const out: { [key: string]: PlainValue } = {};
  for (const [key, v] of map) if (typeof key === 'string' || typeof key === 'number') out[String(key)] = plainConfig(v);
  return out;
}
