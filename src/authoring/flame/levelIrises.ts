/**
 * MediaPipe's iris points placed on a skinned model's eyeballs where an unturned eye (its joint
 * unrotated) has them. MediaPipe's canonical face, aligned to the model by the skin, puts its
 * irises where its own eyeballs do: on the FLAME fixture 2.2° below the eye joints' forward axes
 * (the model looks down +Z), so a tracked eye rested turned up to make up for it. Each canonical
 * iris is moved up or down (y) until its centre is level with its eye joint, keeping its size,
 * shape and depth, then each point is projected onto its eyeball as before (FLAME's eyeballs are
 * spheres around points on the joints' forward axes): the centre at the eyeball's front pole's
 * height, the ring around it at the canonical iris's radius, in its canonical directions.
 * Across the face (x) the canonical irises stay: they sit 3° towards the nose, as eyes converging
 * on a camera half a metre away do (atan(31 mm / 500 mm) = 3.6°), and MediaPipe's tracked irises
 * with them; moved onto the forward axes too, the bench's resting eyeLookIn grew (0.44 → 0.54 on
 * the sample video without the gaze pull).
 */
import type { SurfacePoint, TriangleGrid } from '../geometry/TriangleGrid.js';

/** An iris of MediaPipe's 478 points: its first point (the centre, then the four ring points) and the eye joint it turns with. */
export interface IrisOnEye {
  firstPoint: number;
  joint: number;
}

/** MediaPipe's iris points on their eyeballs, in `irises` order (five per iris, centre first). */
export function levelIrises(
  /** MediaPipe's canonical face in the model's frame (aligned by the skin), [478][3]. */
  canonicalOnModel: ArrayLike<number>,
  /** The model's rest joint positions for the shape the regions are built on, [joint][3]. */
  restJoints: ArrayLike<number>,
  /** Per MediaPipe point, the surface it lands on (each iris: its eyeball). */
  regions: readonly TriangleGrid[],
  irises: readonly IrisOnEye[],
): SurfacePoint[] {
  const hits: SurfacePoint[] = [];
  const moved = new Float64Array(3);
  for (const { firstPoint, joint } of irises) {
    const dy = restJoints[3 * joint + 1]! - canonicalOnModel[3 * firstPoint + 1]!;
    for (let p = firstPoint; p < firstPoint + 5; p++) {
      moved[0] = canonicalOnModel[3 * p]!;
      moved[1] = canonicalOnModel[3 * p + 1]! + dy;
      moved[2] = canonicalOnModel[3 * p + 2]!;
      hits.push(regions[p]!.closest(moved, 0));
    }
  }
  return hits;
}
