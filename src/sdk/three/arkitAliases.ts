import { ARKIT_BLENDSHAPES, type ArkitBlendshape } from '../../core/arkit.js';

/**
 * Morph-target names that mean an ARKit shape but do not spell it. Names are matched after
 * `canonicalName` (case, separators, `_L`/`.L`/`Left` sides, namespace and common prefixes), so
 * spelling variants such as `eyeBlink_L`, `EyeBlinkLeft`, `blendShape1.eyeBlink_L`,
 * `ARKit_eyeBlinkLeft` or `Eye_Blink_L` need no entry. A list means the average of the shapes.
 */
export const ARKIT_ALIASES: Readonly<Record<string, ArkitBlendshape | readonly ArkitBlendshape[]>> = {
  // Character Creator 4 (Reallusion) facial profile names that differ from ARKit's words.
  Brow_Drop_L: 'browDownLeft',
  Brow_Drop_R: 'browDownRight',
  Brow_Raise_Inner_L: 'browInnerUp',
  Brow_Raise_Inner_R: 'browInnerUp',
  Brow_Raise_Outer_L: 'browOuterUpLeft',
  Brow_Raise_Outer_R: 'browOuterUpRight',
  Cheek_Raise_L: 'cheekSquintLeft',
  Cheek_Raise_R: 'cheekSquintRight',
  Mouth_Roll_In_Upper: 'mouthRollUpper',
  Mouth_Roll_In_Lower: 'mouthRollLower',
  Mouth_Up_Upper_L: 'mouthUpperUpLeft',
  Mouth_Up_Upper_R: 'mouthUpperUpRight',
  Mouth_Down_Lower_L: 'mouthLowerDownLeft',
  Mouth_Down_Lower_R: 'mouthLowerDownRight',
  Eye_L_Look_Up: 'eyeLookUpLeft',
  Eye_R_Look_Up: 'eyeLookUpRight',
  Eye_L_Look_Down: 'eyeLookDownLeft',
  Eye_R_Look_Down: 'eyeLookDownRight',
  // Sideways looks name the direction: towards the character's left is out for the left eye, in for the right.
  Eye_L_Look_L: 'eyeLookOutLeft',
  Eye_L_Look_R: 'eyeLookInLeft',
  Eye_R_Look_L: 'eyeLookInRight',
  Eye_R_Look_R: 'eyeLookOutRight',
  // VRM 1.0 expression presets and VRM 0.x blend-shape presets that have an ARKit counterpart.
  blink: ['eyeBlinkLeft', 'eyeBlinkRight'],
  blinkLeft: 'eyeBlinkLeft',
  blinkRight: 'eyeBlinkRight',
  Blink_L: 'eyeBlinkLeft',
  Blink_R: 'eyeBlinkRight',
  aa: 'jawOpen',
  // VRoid Studio's own morph targets (Fcl_*): visemes and moods, so only the close equivalents.
  Fcl_EYE_Close: ['eyeBlinkLeft', 'eyeBlinkRight'],
  Fcl_EYE_Close_L: 'eyeBlinkLeft',
  Fcl_EYE_Close_R: 'eyeBlinkRight',
  Fcl_EYE_Surprised: ['eyeWideLeft', 'eyeWideRight'],
  Fcl_BRW_Surprised: 'browInnerUp',
  Fcl_BRW_Angry: ['browDownLeft', 'browDownRight'],
  Fcl_MTH_A: 'jawOpen',
  Fcl_MTH_Fun: ['mouthSmileLeft', 'mouthSmileRight'],
};

/** ARKit shapes with no side that rigs often split in two (ICT FaceKit, Character Creator). */
const SPLIT_SHAPES: readonly ArkitBlendshape[] = ['browInnerUp', 'cheekPuff'];

/** Prefixes that rigs put before shape names, with a separator: `ARKit_`, `BS_`, `blendShape_`. */
const PREFIX = /^(arkit|bs|blendshapes?|shapes?)[_\- ]/i;

/**
 * A morph-target name reduced to compare with others: the side suffix spelled out (`_L`, `.L`,
 * `-L`, ` L` → `left`), the namespace (`blendShape1.`, `Head_Mesh:`, `a|b`) and a common prefix
 * dropped, then lower case without separators. `blendShape1.eyeBlink_L` → `eyeblinkleft`.
 */
export function canonicalName(name: string): string {
  let side = '';
  const suffix = /[._\- ](l|r|left|right)$/i.exec(name);
  if (suffix) {
    side = suffix[1]!.toLowerCase().startsWith('l') ? 'left' : 'right';
    name = name.slice(0, suffix.index);
  }
  name = name.slice(Math.max(name.lastIndexOf('.'), name.lastIndexOf(':'), name.lastIndexOf('|')) + 1).replace(PREFIX, '');
  return name.replace(/[^A-Za-z0-9]/g, '').toLowerCase() + side;
}

/**
 * Resolves morph-target names to ARKit shapes (indices into `ARKIT_BLENDSHAPES`), through
 * spelling variants, the split shapes and `ARKIT_ALIASES` plus any `extra` aliases.
 */
export class ArkitNameMatcher {
  private readonly table = new Map<string, number[]>();

  constructor(extra: Readonly<Record<string, ArkitBlendshape | readonly ArkitBlendshape[]>> = {}) {
    const index = (n: ArkitBlendshape) => ARKIT_BLENDSHAPES.indexOf(n);
    ARKIT_BLENDSHAPES.forEach((name, i) => this.table.set(canonicalName(name), [i]));
    for (const name of SPLIT_SHAPES) {
      this.table.set(`${canonicalName(name)}left`, [index(name)]);
      this.table.set(`${canonicalName(name)}right`, [index(name)]);
    }
    for (const [alias, shapes] of Object.entries({ ...ARKIT_ALIASES, ...extra })) {
      this.table.set(canonicalName(alias), ([] as ArkitBlendshape[]).concat(shapes).map(index));
    }
  }

  /** The ARKit shapes a morph target named `name` should follow (averaged), or undefined. */
  match(name: string): readonly number[] | undefined {
    return this.table.get(canonicalName(name));
  }
}
