/**
 * Rotations. The API speaks axis-angle (a 3-vector whose length is the angle in radians);
 * matrices are row-major 3x3 in a length-9 array.
 */
export type Mat3 = Float64Array;

/** Rodrigues' formula: axis-angle (radians) → rotation matrix. */
export function axisAngleToMatrix(ax: number, ay: number, az: number, out: Mat3 = new Float64Array(9)): Mat3 {
  const theta = Math.hypot(ax, ay, az);
  // Near zero use the Taylor terms so the result stays smooth (and differentiable) through 0.
  const a = theta < 1e-8 ? 1 - (theta * theta) / 6 : Math.sin(theta) / theta;
  const b = theta < 1e-8 ? 0.5 - (theta * theta) / 24 : (1 - Math.cos(theta)) / (theta * theta);
  out[0] = 1 - b * (ay * ay + az * az);
  out[1] = b * ax * ay - a * az;
  out[2] = b * ax * az + a * ay;
  out[3] = b * ax * ay + a * az;
  out[4] = 1 - b * (ax * ax + az * az);
  out[5] = b * ay * az - a * ax;
  out[6] = b * ax * az - a * ay;
  out[7] = b * ay * az + a * ax;
  out[8] = 1 - b * (ax * ax + ay * ay);
  return out;
}

/** Inverse of `axisAngleToMatrix`, angle in [0, π]. */
export function matrixToAxisAngle(m: ArrayLike<number>, out: Float64Array = new Float64Array(3)): Float64Array {
  const cos = Math.min(1, Math.max(-1, (m[0]! + m[4]! + m[8]! - 1) / 2));
  const theta = Math.acos(cos);
  const rx = m[7]! - m[5]!;
  const ry = m[2]! - m[6]!;
  const rz = m[3]! - m[1]!;
  if (theta < 1e-6) {
    out[0] = rx / 2;
    out[1] = ry / 2;
    out[2] = rz / 2;
  } else if (Math.PI - theta > 1e-4) {
    const k = theta / (2 * Math.sin(theta));
    out[0] = rx * k;
    out[1] = ry * k;
    out[2] = rz * k;
  } else {
    // θ ≈ π: the antisymmetric part vanishes; take the axis from the symmetric part.
    const xx = Math.sqrt(Math.max(0, (m[0]! + 1) / 2));
    const yy = Math.sqrt(Math.max(0, (m[4]! + 1) / 2));
    const zz = Math.sqrt(Math.max(0, (m[8]! + 1) / 2));
    let x = xx, y = yy, z = zz;
    if (xx >= yy && xx >= zz) { y = Math.sign(m[1]! + m[3]!) * yy || yy; z = Math.sign(m[2]! + m[6]!) * zz || zz; }
    else if (yy >= zz) { x = Math.sign(m[1]! + m[3]!) * xx || xx; z = Math.sign(m[5]! + m[7]!) * zz || zz; }
    else { x = Math.sign(m[2]! + m[6]!) * xx || xx; y = Math.sign(m[5]! + m[7]!) * yy || yy; }
    // Resolve the overall sign with whatever antisymmetric part remains.
    const s = x * rx + y * ry + z * rz < 0 ? -1 : 1;
    out[0] = s * x * theta;
    out[1] = s * y * theta;
    out[2] = s * z * theta;
  }
  return out;
}

/** out = a · b (3x3). `out` may alias neither input. */
export function multiplyMat3(a: ArrayLike<number>, b: ArrayLike<number>, out: Mat3 = new Float64Array(9)): Mat3 {
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      out[3 * r + c] = a[3 * r]! * b[c]! + a[3 * r + 1]! * b[3 + c]! + a[3 * r + 2]! * b[6 + c]!;
    }
  }
  return out;
}

/** Composes rotations given as axis-angle: the rotation `a` applied after `b`. */
export function composeAxisAngle(a: ArrayLike<number>, b: ArrayLike<number>, out: Float64Array = new Float64Array(3)): Float64Array {
  const ra = axisAngleToMatrix(a[0]!, a[1]!, a[2]!);
  const rb = axisAngleToMatrix(b[0]!, b[1]!, b[2]!);
  return matrixToAxisAngle(multiplyMat3(ra, rb), out);
}

/** Intrinsic yaw (about Y), pitch (about X), roll (about Z) in radians, for display and export. */
export function matrixToYawPitchRoll(m: ArrayLike<number>): { yaw: number; pitch: number; roll: number } {
  // R = Ry(yaw) · Rx(pitch) · Rz(roll)
  const pitch = Math.asin(Math.max(-1, Math.min(1, -m[5]!)));
  const yaw = Math.atan2(m[2]!, m[8]!);
  const roll = Math.atan2(m[3]!, m[4]!);
  return { yaw, pitch, roll };
}

/** Axis-angle (radians) → unit quaternion [x, y, z, w] (the glTF and three.js order). */
export function axisAngleToQuaternion(ax: number, ay: number, az: number, out: Float64Array = new Float64Array(4)): Float64Array {
  const theta = Math.hypot(ax, ay, az);
  // sin(θ/2)/θ → 1/2 as θ → 0.
  const s = theta < 1e-8 ? 0.5 - (theta * theta) / 48 : Math.sin(theta / 2) / theta;
  out[0] = ax * s;
  out[1] = ay * s;
  out[2] = az * s;
  out[3] = Math.cos(theta / 2);
  return out;
}
