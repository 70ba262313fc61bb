import { ARKIT_BLENDSHAPES, MEDIAPIPE_BLENDSHAPES, scoreBeyondMargin, type ArkitMap } from '../../arkit.js';
import type { FrameLayout } from '../FrameState.js';
import { AnchorTerm } from './AnchorTerm.js';
import type { BlendshapePriorWeights, BlendshapeTerm } from './EnergyTerm.js';

/**
 * The blendshape prior of ARKit-named models: each expression MediaPipe scores is anchored at its
 * score beyond a margin (`scoreBeyondMargin`: below 0 under the margin, so on the coefficient's
 * bound 0 it is also a sparsity prior), the eye shapes (blinks, gaze, squint, wide) with
 * `eyesMargin` and `weights.eyes` (the gaze shapes with `weights.gaze`), the rest with
 * `weights.other` and `otherMargin`.
 */
export class NamedBlendshapeTerm extends AnchorTerm implements BlendshapeTerm {
  private readonly columns: { column: number; source: number; weight: number; margin: number }[] = [];

  /** @param named the model's expressions → ARKit rows (`arkitMapFromNames`) */
  constructor(layout: FrameLayout, named: ArkitMap, weights: BlendshapePriorWeights) {
    super('blendshapes', layout);
    this.active = false;
    MEDIAPIPE_BLENDSHAPES.forEach((name, source) => {
      const row = (ARKIT_BLENDSHAPES as readonly string[]).indexOf(name);
      const eye = name.startsWith('eye');
      const weight = name.startsWith('eyeLook') ? weights.gaze : eye ? weights.eyes : weights.other, margin = eye ? weights.eyesMargin : weights.otherMargin;
      if (row < 0 || weight <= 0) return;
      for (let i = 0; i < named.row.length; i++) if (named.row[i] === row) this.columns.push({ column: named.column[i]!, source, weight, margin });
    });
  }

  setScores(scores: Float32Array | undefined): boolean {
    if (!scores || this.columns.length === 0) return false;
    const o = this.anchor.layout.expressionOffset;
    for (const { column, source, weight, margin } of this.columns) {
      this.anchor.expression[column] = scoreBeyondMargin(scores[source]!, margin);
      this.weights[o + column] = weight;
    }
    return true;
  }
}
