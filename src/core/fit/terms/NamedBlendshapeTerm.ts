import { ARKIT_BLENDSHAPES, MEDIAPIPE_BLENDSHAPES, scoreBeyondMargin, type ArkitMap } from '../../arkit.js';
import type { FrameLayout } from '../FrameState.js';
import { AnchorTerm } from './AnchorTerm.js';
import type { BlendshapeTerm } from './EnergyTerm.js';

/**
 * The blendshape prior of ARKit-named models: each expression MediaPipe scores is anchored at its
 * score less `weights.margin` (`scoreBeyondMargin`: below 0 under the margin, so on the
 * coefficient's bound 0 it is also a sparsity prior), the eye shapes (blinks, gaze, squint, wide)
 * with `weights.eyes`, the rest with `weights.other`.
 */
export class NamedBlendshapeTerm extends AnchorTerm implements BlendshapeTerm {
  private readonly columns: { column: number; source: number; weight: number }[] = [];
  private readonly margin: number;

  /** @param named the model's expressions → ARKit rows (`arkitMapFromNames`) */
  constructor(layout: FrameLayout, named: ArkitMap, weights: { eyes: number; other: number; margin: number }) {
    super('blendshapes', layout);
    this.active = false;
    this.margin = weights.margin;
    MEDIAPIPE_BLENDSHAPES.forEach((name, source) => {
      const row = (ARKIT_BLENDSHAPES as readonly string[]).indexOf(name);
      const weight = name.startsWith('eye') ? weights.eyes : weights.other;
      if (row < 0 || weight <= 0) return;
      for (let i = 0; i < named.row.length; i++) if (named.row[i] === row) this.columns.push({ column: named.column[i]!, source, weight });
    });
  }

  setScores(scores: Float32Array | undefined): boolean {
    if (!scores || this.columns.length === 0) return false;
    const o = this.anchor.layout.expressionOffset;
    for (const { column, source, weight } of this.columns) {
      this.anchor.expression[column] = scoreBeyondMargin(scores[source]!, this.margin);
      this.weights[o + column] = weight;
    }
    return true;
  }
}
