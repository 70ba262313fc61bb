import type { FrameEnergy } from '../../src/core/fit/FrameEnergy.js';
import { FrameState, retract } from '../../src/core/fit/FrameState.js';
import { NormalEquations } from '../../src/core/fit/NormalEquations.js';

/** Adam step sizes per group of unknowns. */
export interface AdamLearningRates {
  rotation: number;
  /** Model units per step. */
  translation: number;
  joints: number;
  expression: number;
}

export interface AdamResult {
  steps: number;
  energy: number;
  /** Milliseconds until the energy first reached `targetEnergy` (undefined when it never did). */
  msToTarget?: number;
  stepsToTarget?: number;
  ms: number;
}

/**
 * The reference optimizer: plain Adam on the same frame energy, a fixed number of steps per frame
 * like the reference tracker (Pixel3DMM: 200), projected onto the bounds. For the benchmark and
 * tests only: it shows what the Levenberg-Marquardt fit saves.
 */
export class AdamReference {
  private readonly gradient: NormalEquations;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private readonly step: Float64Array;
  private readonly rates: Float64Array;
  private readonly next: FrameState;

  constructor(energy: FrameEnergy, rates: AdamLearningRates) {
    const layout = energy.layout, n = layout.size;
    this.gradient = new NormalEquations(n);
    this.gradient.withHessian = false;
    this.m = new Float64Array(n);
    this.v = new Float64Array(n);
    this.step = new Float64Array(n);
    this.next = new FrameState(layout);
    this.rates = new Float64Array(n);
    this.rates.fill(rates.rotation, 0, 3);
    this.rates.fill(rates.translation, 3, 6);
    this.rates.fill(rates.joints, layout.jointOffset, layout.expressionOffset);
    this.rates.fill(rates.expression, layout.expressionOffset, n);
  }

  /** Runs `steps` Adam steps on `state` in place (β₁ 0.9, β₂ 0.999, ε 1e-8). */
  solve(energy: FrameEnergy, state: FrameState, steps: number, targetEnergy = -Infinity): AdamResult {
    const t0 = performance.now();
    const { m, v, step, rates } = this;
    m.fill(0);
    v.fill(0);
    const b1 = 0.9, b2 = 0.999;
    let value = Infinity;
    const result: AdamResult = { steps, energy: 0, ms: 0 };
    for (let t = 1; t <= steps; t++) {
      value = energy.evaluate(state, this.gradient);
      if (result.msToTarget === undefined && value <= targetEnergy) {
        result.msToTarget = performance.now() - t0;
        result.stepsToTarget = t - 1;
      }
      const g = this.gradient.gradient;
      const c1 = 1 - b1 ** t, c2 = 1 - b2 ** t;
      for (let k = 0; k < g.length; k++) {
        const gk = 2 * g[k]!; // dE/dx
        m[k] = b1 * m[k]! + (1 - b1) * gk;
        v[k] = b2 * v[k]! + (1 - b2) * gk * gk;
        step[k] = (-rates[k]! * (m[k]! / c1)) / (Math.sqrt(v[k]! / c2) + 1e-8);
      }
      retract(state, step, energy.lower, energy.upper, this.next);
      state.copyFrom(this.next);
    }
    value = energy.evaluate(state);
    if (result.msToTarget === undefined && value <= targetEnergy) {
      result.msToTarget = performance.now() - t0;
      result.stepsToTarget = steps;
    }
    result.energy = value;
    result.ms = performance.now() - t0;
    return result;
  }
}
