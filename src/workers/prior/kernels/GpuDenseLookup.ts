/**
 * The prior's post-processing on the GPU: the network's UV and normal maps (GPU buffers, as ONNX
 * Runtime leaves them) → one small record per candidate vertex, so only [vertices][6] floats are
 * read back instead of the maps. Optionally merges the mirrored pass first (test-time
 * augmentation). Same algorithm and output as `denseLookupCpu` / `mergeMirroredCpu`, its references.
 */
import { DENSE_RECORD_FLOATS } from '../../priorProtocol.js';
import { KEY_DISTANCE_SCALE, KEY_PIXEL_BITS, MAX_LOOKUP_SIZE } from './denseLookupCpu.js';
import { BufferUsage, MapMode, SHADER_STAGE_COMPUTE, type BindGroupLayoutEntry, type GpuBindGroupLayout, type GpuBuffer, type GpuComputePipeline, type GpuDevice } from './webgpuTypes.js';

/** The maps of one network pass, on the GPU: uv [2][size][size], normals [3][size][size], f32. */
export interface GpuPriorMaps {
  uv: GpuBuffer;
  normals: GpuBuffer;
}

const PARAMS = /* wgsl */ `
struct Params {
  size: u32,
  gridSize: u32,
  vertexCount: u32,
  polygonCount: u32,
  // 1: the UV layout is mirror-symmetric about u = uvMirrorCentre (the TTA merge mirrors u too).
  uvMirrorSymmetric: u32,
  uvMirrorCentre: f32,
}
@group(0) @binding(6) var<uniform> p: Params;
`;

const LOOKUP_SHADER = /* wgsl */ `${PARAMS}
@group(0) @binding(0) var<storage, read> uvMap: array<f32>;
@group(0) @binding(1) var<storage, read> normalMap: array<f32>;
@group(0) @binding(2) var<storage, read_write> grid: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read> vertexUv: array<vec2<f32>>;
@group(0) @binding(4) var<storage, read> polygon: array<vec2<f32>>;
@group(0) @binding(5) var<storage, read_write> records: array<f32>;

const EMPTY = 0xffffffffu;
const PIXEL_MASK = ${(1 << KEY_PIXEL_BITS) - 1}u;

fn uvAt(k: u32) -> vec2<f32> {
  return vec2<f32>(uvMap[k], uvMap[p.size * p.size + k]);
}

fn toGrid(uv: vec2<f32>) -> vec2<f32> {
  return (uv + 1.0) * 0.5 * f32(p.gridSize);
}

fn insideFace(x: f32, y: f32) -> bool {
  var inside = false;
  var j = p.polygonCount - 1u;
  for (var i = 0u; i < p.polygonCount; i++) {
    let a = polygon[i];
    let b = polygon[j];
    if ((a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x) { inside = !inside; }
    j = i;
  }
  return inside;
}

@compute @workgroup_size(256)
fn clearGrid(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x < p.gridSize * p.gridSize) { atomicStore(&grid[id.x], EMPTY); }
}

@compute @workgroup_size(8, 8)
fn scatter(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x >= p.size || id.y >= p.size) { return; }
  if (!insideFace(f32(id.x) + 0.5, f32(id.y) + 0.5)) { return; }
  let k = id.y * p.size + id.x;
  let uv = uvAt(k);
  if (!(abs(uv.x) <= 1.0 && abs(uv.y) <= 1.0)) { return; }
  let g = toGrid(uv);
  let cell = min(vec2<u32>(floor(g)), vec2<u32>(p.gridSize - 1u));
  let d = g - (vec2<f32>(cell) + 0.5);
  let q = min(u32(floor(sqrt(d.x * d.x + d.y * d.y) * ${KEY_DISTANCE_SCALE}.0)), ${KEY_DISTANCE_SCALE - 1}u);
  atomicMin(&grid[cell.y * p.gridSize + cell.x], (q << ${KEY_PIXEL_BITS}u) | k);
}

fn comp(x: u32, y: u32, c: u32) -> f32 {
  return uvMap[c * p.size * p.size + y * p.size + x];
}

@compute @workgroup_size(64)
fn gather(@builtin(global_invocation_id) id: vec3<u32>) {
  let v = id.x;
  if (v >= p.vertexCount) { return; }
  let want = vertexUv[v];
  let c = vec2<i32>(clamp(floor(toGrid(want)), vec2<f32>(0.0), vec2<f32>(f32(p.gridSize - 1u))));
  var best = EMPTY;
  var bestD2 = 3.0e38;
  for (var oy = -1; oy <= 1; oy++) {
    for (var ox = -1; ox <= 1; ox++) {
      let gx = c.x + ox;
      let gy = c.y + oy;
      if (gx < 0 || gy < 0 || gx >= i32(p.gridSize) || gy >= i32(p.gridSize)) { continue; }
      let key = atomicLoad(&grid[u32(gy) * p.gridSize + u32(gx)]);
      if (key == EMPTY) { continue; }
      let k = key & PIXEL_MASK;
      let diff = uvAt(k) - want;
      let d2 = diff.x * diff.x + diff.y * diff.y;
      if (d2 < bestD2 || (d2 == bestD2 && k < best)) { bestD2 = d2; best = k; }
    }
  }
  let o = v * ${DENSE_RECORD_FLOATS}u;
  if (best == EMPTY) {
    records[o] = -1.0; records[o + 1u] = -1.0;
    records[o + 2u] = 0.0; records[o + 3u] = 0.0; records[o + 4u] = 0.0; records[o + 5u] = 0.0;
    return;
  }
  let px = best % p.size;
  let py = best / p.size;
  // Sub-pixel: invert the map's local Jacobian (central differences, one-sided at the border).
  let xl = select(px - 1u, 0u, px == 0u);
  let xr = min(px + 1u, p.size - 1u);
  let yt = select(py - 1u, 0u, py == 0u);
  let yb = min(py + 1u, p.size - 1u);
  let dxs = max(f32(xr - xl), 1.0);
  let dys = max(f32(yb - yt), 1.0);
  let a = (comp(xr, py, 0u) - comp(xl, py, 0u)) / dxs;
  let b = (comp(px, yb, 0u) - comp(px, yt, 0u)) / dys;
  let cc = (comp(xr, py, 1u) - comp(xl, py, 1u)) / dxs;
  let dd = (comp(px, yb, 1u) - comp(px, yt, 1u)) / dys;
  let det = a * dd - b * cc;
  var shift = vec2<f32>(0.0);
  if (abs(det) > 1e-12) {
    let r = want - uvAt(best);
    let s = vec2<f32>((dd * r.x - b * r.y) / det, (a * r.y - cc * r.x) / det);
    if (abs(s.x) <= 1.0 && abs(s.y) <= 1.0) { shift = s; }
  }
  let plane = p.size * p.size;
  var n = vec3<f32>(normalMap[best], normalMap[plane + best], normalMap[2u * plane + best]);
  let len = length(n);
  if (len > 0.0) { n = n / len; }
  records[o] = f32(px) + 0.5 + shift.x;
  records[o + 1u] = f32(py) + 0.5 + shift.y;
  records[o + 2u] = sqrt(bestD2);
  records[o + 3u] = n.x;
  records[o + 4u] = n.y;
  records[o + 5u] = n.z;
}`;

const MERGE_SHADER = /* wgsl */ `${PARAMS}
@group(0) @binding(0) var<storage, read> uvA: array<f32>;
@group(0) @binding(1) var<storage, read> normalsA: array<f32>;
@group(0) @binding(2) var<storage, read> uvB: array<f32>;
@group(0) @binding(3) var<storage, read> normalsB: array<f32>;
@group(0) @binding(4) var<storage, read_write> uvOut: array<f32>;
@group(0) @binding(5) var<storage, read_write> normalsOut: array<f32>;

@compute @workgroup_size(8, 8)
fn merge(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x >= p.size || id.y >= p.size) { return; }
  let plane = p.size * p.size;
  let k = id.y * p.size + id.x;
  let m = id.y * p.size + (p.size - 1u - id.x);
  if (p.uvMirrorSymmetric == 1u) {
    uvOut[k] = 0.5 * (uvA[k] + 2.0 * p.uvMirrorCentre - uvB[m]);
    uvOut[plane + k] = 0.5 * (uvA[plane + k] + uvB[plane + m]);
  } else {
    uvOut[k] = uvA[k];
    uvOut[plane + k] = uvA[plane + k];
  }
  // The mirrored pass's normal has x negated, in camera and model space alike (x is the face's left-right axis in both).
  var n = vec3<f32>(normalsA[k] - normalsB[m], normalsA[plane + k] + normalsB[plane + m], normalsA[2u * plane + k] + normalsB[2u * plane + m]);
  let len = length(n);
  if (len > 0.0) { n = n / len; }
  normalsOut[k] = n.x;
  normalsOut[plane + k] = n.y;
  normalsOut[2u * plane + k] = n.z;
}`;

export interface GpuDenseLookupOptions {
  /** Map side, px. */
  size: number;
  /** Lookup grid side, cells. */
  gridSize: number;
  /** [count][2] candidate vertex UVs in [-1, 1]. */
  vertexUvs: Float32Array;
  /** Merge mirrored passes (test-time augmentation); with u → 2c − u when the UV layout is symmetric about c (the output's [-1, 1] units). */
  tta?: { uvMirrorCentre: number | undefined };
}

/** Most face-outline points a run takes (MediaPipe's face oval has 36). */
export const MAX_POLYGON_POINTS = 64;

const storage = (binding: number, readOnly: boolean): BindGroupLayoutEntry => ({ binding, visibility: SHADER_STAGE_COMPUTE, buffer: { type: readOnly ? 'read-only-storage' : 'storage' } });
const uniform = (binding: number): BindGroupLayoutEntry => ({ binding, visibility: SHADER_STAGE_COMPUTE, buffer: { type: 'uniform' } });

export class GpuDenseLookup {
  readonly vertexCount: number;
  private readonly lookupLayout: GpuBindGroupLayout;
  private readonly clearPipeline: GpuComputePipeline;
  private readonly scatterPipeline: GpuComputePipeline;
  private readonly gatherPipeline: GpuComputePipeline;
  private readonly merge?: { layout: GpuBindGroupLayout; pipeline: GpuComputePipeline; maps: GpuPriorMaps };
  private readonly buffers: GpuBuffer[] = [];
  private readonly params: GpuBuffer;
  private readonly grid: GpuBuffer;
  private readonly vertexUvs: GpuBuffer;
  private readonly polygon: GpuBuffer;
  private readonly records: GpuBuffer;
  private readonly readback: GpuBuffer;

  constructor(
    private readonly device: GpuDevice,
    private readonly options: GpuDenseLookupOptions,
  ) {
    const { size, gridSize, vertexUvs } = options;
    if (size > MAX_LOOKUP_SIZE) throw new Error(`Maps larger than ${MAX_LOOKUP_SIZE} px are not supported`);
    this.vertexCount = vertexUvs.length / 2;
    const recordBytes = this.vertexCount * DENSE_RECORD_FLOATS * 4;
    this.params = this.buffer(32, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
    this.grid = this.buffer(gridSize * gridSize * 4, BufferUsage.STORAGE);
    this.vertexUvs = this.buffer(vertexUvs.byteLength, BufferUsage.STORAGE | BufferUsage.COPY_DST);
    this.polygon = this.buffer(MAX_POLYGON_POINTS * 8, BufferUsage.STORAGE | BufferUsage.COPY_DST);
    this.records = this.buffer(recordBytes, BufferUsage.STORAGE | BufferUsage.COPY_SRC);
    this.readback = this.buffer(recordBytes, BufferUsage.MAP_READ | BufferUsage.COPY_DST);
    device.queue.writeBuffer(this.vertexUvs, 0, vertexUvs);

    this.lookupLayout = device.createBindGroupLayout({
      entries: [storage(0, true), storage(1, true), storage(2, false), storage(3, true), storage(4, true), storage(5, false), uniform(6)],
    });
    const module = device.createShaderModule({ code: LOOKUP_SHADER, label: 'dense-lookup' });
    const layout = device.createPipelineLayout({ bindGroupLayouts: [this.lookupLayout] });
    const pipeline = (entryPoint: string) => device.createComputePipeline({ label: entryPoint, layout, compute: { module, entryPoint } });
    this.clearPipeline = pipeline('clearGrid');
    this.scatterPipeline = pipeline('scatter');
    this.gatherPipeline = pipeline('gather');

    if (options.tta) {
      const mergeLayout = device.createBindGroupLayout({
        entries: [storage(0, true), storage(1, true), storage(2, true), storage(3, true), storage(4, false), storage(5, false), uniform(6)],
      });
      this.merge = {
        layout: mergeLayout,
        pipeline: device.createComputePipeline({
          label: 'merge-mirrored',
          layout: device.createPipelineLayout({ bindGroupLayouts: [mergeLayout] }),
          compute: { module: device.createShaderModule({ code: MERGE_SHADER, label: 'merge-mirrored' }), entryPoint: 'merge' },
        }),
        maps: { uv: this.buffer(2 * size * size * 4, BufferUsage.STORAGE), normals: this.buffer(3 * size * size * 4, BufferUsage.STORAGE) },
      };
    }
  }

  /**
   * Runs the lookup on `maps` (merged with `mirrored` first when given) inside the face outline
   * `polygon` ([points][2], map px) and reads back [vertexCount][6] records (see `denseLookupCpu`).
   */
  async run(maps: GpuPriorMaps, polygon: Float32Array, mirrored?: GpuPriorMaps): Promise<Float32Array> {
    const { size, gridSize } = this.options;
    const points = polygon.length / 2;
    if (points < 3 || points > MAX_POLYGON_POINTS) throw new Error(`The face outline needs 3 to ${MAX_POLYGON_POINTS} points, got ${points}`);
    if (mirrored && !this.merge) throw new Error('This lookup was created without test-time augmentation');
    const centre = this.options.tta?.uvMirrorCentre;
    const params = new ArrayBuffer(32);
    new Uint32Array(params, 0, 5).set([size, gridSize, this.vertexCount, points, centre === undefined ? 0 : 1]);
    new Float32Array(params, 20, 1)[0] = centre ?? 0;
    this.device.queue.writeBuffer(this.params, 0, params);
    this.device.queue.writeBuffer(this.polygon, 0, polygon);
    const uvBytes = 2 * size * size * 4, normalBytes = 3 * size * size * 4;
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    let source = maps;
    if (mirrored && this.merge) {
      pass.setPipeline(this.merge.pipeline);
      pass.setBindGroup(
        0,
        this.device.createBindGroup({
          layout: this.merge.layout,
          entries: [
            { binding: 0, resource: { buffer: maps.uv, size: uvBytes } },
            { binding: 1, resource: { buffer: maps.normals, size: normalBytes } },
            { binding: 2, resource: { buffer: mirrored.uv, size: uvBytes } },
            { binding: 3, resource: { buffer: mirrored.normals, size: normalBytes } },
            { binding: 4, resource: { buffer: this.merge.maps.uv } },
            { binding: 5, resource: { buffer: this.merge.maps.normals } },
            { binding: 6, resource: { buffer: this.params } },
          ],
        }),
      );
      pass.dispatchWorkgroups(Math.ceil(size / 8), Math.ceil(size / 8));
      source = this.merge.maps;
    }
    pass.setBindGroup(
      0,
      this.device.createBindGroup({
        layout: this.lookupLayout,
        entries: [
          { binding: 0, resource: { buffer: source.uv, size: uvBytes } },
          { binding: 1, resource: { buffer: source.normals, size: normalBytes } },
          { binding: 2, resource: { buffer: this.grid } },
          { binding: 3, resource: { buffer: this.vertexUvs } },
          { binding: 4, resource: { buffer: this.polygon } },
          { binding: 5, resource: { buffer: this.records } },
          { binding: 6, resource: { buffer: this.params } },
        ],
      }),
    );
    pass.setPipeline(this.clearPipeline);
    pass.dispatchWorkgroups(Math.ceil((gridSize * gridSize) / 256));
    pass.setPipeline(this.scatterPipeline);
    pass.dispatchWorkgroups(Math.ceil(size / 8), Math.ceil(size / 8));
    pass.setPipeline(this.gatherPipeline);
    pass.dispatchWorkgroups(Math.ceil(this.vertexCount / 64));
    pass.end();
    encoder.copyBufferToBuffer(this.records, 0, this.readback, 0, this.readback.size);
    this.device.queue.submit([encoder.finish()]);
    await this.readback.mapAsync(MapMode.READ);
    const out = new Float32Array(this.readback.getMappedRange().slice(0));
    this.readback.unmap();
    return out;
  }

  dispose(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
  }

  private buffer(size: number, usage: number): GpuBuffer {
    const b = this.device.createBuffer({ size: Math.max(16, Math.ceil(size / 4) * 4), usage });
    this.buffers.push(b);
    return b;
  }
}
