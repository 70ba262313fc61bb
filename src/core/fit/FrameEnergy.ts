import type { FrameLayout, FrameState } from './FrameState.js';
import type { Kinematics } from './Kinematics.js';
import type { NormalEquations } from './NormalEquations.js';
import type { SharedEquations } from './SharedEquations.js';
import type { EnergyTerm } from './terms/EnergyTerm.js';

/**
 * The per-frame energy: the sum of its active terms, with the bounds of the unknowns. Solvers
 * (the Levenberg-Marquardt fit, the Adam reference of the benchmark) see only this.
 */
export class FrameEnergy {
  readonly layout: FrameLayout;
  readonly kinematics: Kinematics;
  /** Per unknown; ±Infinity where unbounded. */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** The value of the last evaluation. */
  lastValue = NaN;
  private readonly added: EnergyTerm[] = [];

  constructor(layout: FrameLayout, kinematics: Kinematics) {
    this.layout = layout;
    this.kinematics = kinematics;
    this.lower = new Float64Array(layout.size).fill(-Infinity);
    this.upper = new Float64Array(layout.size).fill(Infinity);
  }

  /** Its terms, in the order they are summed. */
  get terms(): readonly EnergyTerm[] {
    return this.added;
  }

  /** Adds a term (summed after those already added); returns it. */
  add<T extends EnergyTerm>(term: T): T {
    this.added.push(term);
    return term;
  }

  /** Energy at `state`; fills `system` (cleared first) when given. */
  evaluate(state: FrameState, system?: NormalEquations, shared?: SharedEquations): number {
    this.kinematics.update(state);
    system?.clear();
    let energy = 0;
    for (const term of this.added) if (term.active) energy += term.accumulate(state, system, shared);
    this.lastValue = energy;
    return energy;
  }
}
