import { type Mesh, type Object3D, Quaternion } from 'three';
import { ARKIT_BLENDSHAPES, type ArkitBlendshape } from '../../core/arkit.js';
import { TrackerError } from '../../core/errors.js';
import type { FaceFrame } from '../../core/FaceFrame.js';
import { axisAngleToQuaternion } from '../../core/math/rotation.js';
import { ArkitNameMatcher } from './arkitAliases.js';

export interface RetargetOptions {
  /**
   * Swap left and right (weights and head turn), for an avatar that should mirror the user
   * like a mirror image does. Default false: the avatar's left follows the user's left.
   */
  mirror?: boolean;
  /** The head bone or node (or its name) to turn with the tracked head; none by default. */
  head?: Object3D | string;
  /** More morph-target names for ARKit shapes, on top of `ARKIT_ALIASES`. */
  aliases?: Readonly<Record<string, ArkitBlendshape | readonly ArkitBlendshape[]>>;
}

/** What a retarget drives. */
export interface RetargetReport {
  /** ARKit shapes that drive at least one morph target (with `mirror`, the user's side they are read from). */
  matched: ArkitBlendshape[];
  /** ARKit shapes the avatar has no morph target for. */
  unmatched: ArkitBlendshape[];
  /** The avatar's morph targets that mean no ARKit shape (left alone), as `mesh/target`. */
  ignored: string[];
  /** The node turned with the head, if any. */
  head?: string;
}

interface MorphBinding {
  influences: number[];
  index: number;
  sources: readonly number[];
}

const MIRRORED = ARKIT_BLENDSHAPES.map((name) => {
  const other = name.endsWith('Left') ? name.replace(/Left$/, 'Right') : name.endsWith('Right') ? name.replace(/Right$/, 'Left') : name;
  return ARKIT_BLENDSHAPES.indexOf(other as ArkitBlendshape);
});

const pose = new Quaternion();
const scratch = new Float64Array(4);

/**
 * Drives any three.js avatar with ARKit-named morph targets (Ready Player Me, VRoid, Character
 * Creator, Apple's `eyeBlink_L` style…) from tracked frames: every mesh below `target` whose
 * morph-target names resolve to ARKit shapes (see `ArkitNameMatcher`), and optionally a head
 * node. Bind once, then `apply(frame)` per frame.
 */
export class ArkitRetarget {
  readonly report: RetargetReport;
  private readonly morphs: MorphBinding[] = [];
  private readonly mirror: boolean;
  private readonly head?: { node: Object3D; rest: Quaternion; parentRest: Quaternion };

  constructor(readonly target: Object3D, options: RetargetOptions = {}) {
    this.mirror = options.mirror ?? false;
    const matcher = new ArkitNameMatcher(options.aliases);
    const driven = new Set<number>();
    const ignored: string[] = [];
    target.traverse((o) => {
      const mesh = o as Mesh;
      if (!mesh.isMesh || !mesh.morphTargetDictionary || !mesh.morphTargetInfluences) return;
      for (const [name, index] of Object.entries(mesh.morphTargetDictionary)) {
        const sources = matcher.match(name)?.map((i) => (this.mirror ? MIRRORED[i]! : i));
        if (!sources) {
          ignored.push(`${mesh.name}/${name}`);
          continue;
        }
        sources.forEach((s) => driven.add(s));
        this.morphs.push({ influences: mesh.morphTargetInfluences, index, sources });
      }
    });
    const head = typeof options.head === 'string' ? target.getObjectByName(options.head) : options.head;
    if (options.head && !head) throw new TrackerError('invalid-input', `retarget: the avatar has no node named "${options.head}" to use as the head.`);
    if (head) this.head = { node: head, rest: restRotationIn(target, head), parentRest: head.parent ? restRotationIn(target, head.parent) : new Quaternion() };
    this.report = {
      matched: ARKIT_BLENDSHAPES.filter((_, i) => driven.has(i)),
      unmatched: ARKIT_BLENDSHAPES.filter((_, i) => !driven.has(i)),
      ignored,
      ...(head ? { head: head.name } : {}),
    };
  }

  /** Sets the avatar's morph targets (and head) from a frame's ARKit weights and head pose. */
  apply(frame: Pick<FaceFrame, 'arkit' | 'pose'>): void {
    const arkit = frame.arkit;
    if (!arkit) {
      throw new TrackerError('invalid-input', 'retarget: this frame has no ARKit weights (its face model has neither ARKit-named expressions nor an ARKit projection; import FLAME again with import-flame from this version, or track with the default model).');
    }
    for (const { influences, index, sources } of this.morphs) {
      let sum = 0;
      for (const s of sources) sum += arkit[s]!;
      influences[index] = sum / sources.length;
    }
    if (this.head) this.turnHead(frame.pose.rotation);
  }

  /**
   * The tracked rotation is in the face model's frame (facing +Z, like glTF avatars). Applied in
   * the avatar's root frame on top of the head's rest orientation, whatever its bone axes:
   * local = parentRest⁻¹ · R · rest.
   */
  private turnHead(rotation: readonly number[]): void {
    const [x, y, z] = this.mirror ? [rotation[0]!, -rotation[1]!, -rotation[2]!] : rotation;
    axisAngleToQuaternion(x!, y!, z!, scratch);
    pose.set(scratch[0]!, scratch[1]!, scratch[2]!, scratch[3]!);
    const { node, rest, parentRest } = this.head!;
    node.quaternion.copy(parentRest).invert().multiply(pose).multiply(rest);
  }
}

/** The rotation of `node` relative to `root` in the current (rest) pose. */
function restRotationIn(root: Object3D, node: Object3D): Quaternion {
  const q = new Quaternion();
  for (let o: Object3D | null = node; o && o !== root; o = o.parent) q.premultiply(o.quaternion);
  return q;
}

const bindings = new WeakMap<Object3D, { options: RetargetOptions; binding: ArkitRetarget }>();

/**
 * Applies a frame to an avatar with ARKit-named morph targets and returns what was driven.
 * The binding is made on the first call for `target` (and again when `options` changes); for
 * an avatar whose meshes change, make a new `ArkitRetarget`.
 */
export function retarget(frame: Pick<FaceFrame, 'arkit' | 'pose'>, target: Object3D, options: RetargetOptions = {}): RetargetReport {
  let entry = bindings.get(target);
  if (!entry || !sameOptions(entry.options, options)) {
    entry = { options, binding: new ArkitRetarget(target, options) };
    bindings.set(target, entry);
  }
  entry.binding.apply(frame);
  return entry.binding.report;
}

function sameOptions(a: RetargetOptions, b: RetargetOptions): boolean {
  return a.mirror === b.mirror && a.head === b.head && a.aliases === b.aliases;
}
