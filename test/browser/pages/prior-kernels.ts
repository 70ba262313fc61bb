/**
 * Page module for test/browser/prior-kernels.test.ts: runs the prior's GPU kernels and both ONNX
 * Runtime backends in the page and compares them with their CPU references.
 */
import { cropSourceRect, type FaceCrop } from '../../../src/core/image/cropGeometry.js';
import { denseLookupCpu } from '../../../src/workers/prior/kernels/denseLookupCpu.js';
import { DENSE_RECORD_FLOATS } from '../../../src/workers/priorProtocol.js';
import { GpuCropPreprocessor } from '../../../src/workers/prior/kernels/GpuCropPreprocessor.js';
import { GpuDenseLookup } from '../../../src/workers/prior/kernels/GpuDenseLookup.js';
import { mergeMirroredCpu, type PriorMaps } from '../../../src/workers/prior/kernels/mergeMirroredCpu.js';
import { preprocessCropCpu, type RgbaRegion } from '../../../src/workers/prior/kernels/preprocessCropCpu.js';
import { BufferUsage, MapMode, navigatorGpu, type GpuBuffer, type GpuDevice } from '../../../src/workers/prior/kernels/webgpuTypes.js';
import { readPriorSpec } from '../../../src/workers/prior/priorContract.js';
import { configureOrt, PriorNetwork } from '../../../src/workers/prior/PriorNetwork.js';
import { readFrameRegion } from '../../../src/workers/prior/readFrameRegion.js';

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), a.length === b.length ? 0 : Infinity);

async function ownDevice(): Promise<GpuDevice> {
  const adapter = await navigatorGpu()!.requestAdapter();
  return adapter!.requestDevice();
}

function upload(device: GpuDevice, data: Float32Array): GpuBuffer {
  const buffer = device.createBuffer({ size: data.byteLength, usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

async function download(device: GpuDevice, buffer: GpuBuffer, bytes = buffer.size): Promise<Float32Array> {
  const staging = device.createBuffer({ size: bytes, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(MapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  return out;
}

/** A deterministic RGBA test image: gradients plus pixel noise (exercises the filter). */
function syntheticImage(width: number, height: number): Uint8ClampedArray<ArrayBuffer> {
  const data = new Uint8ClampedArray(4 * width * height);
  let seed = 12345;
  const noise = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24) / 255;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 4 * (y * width + x);
      data[i] = (255 * x) / width;
      data[i + 1] = 128 + 100 * Math.sin(y / 9) * noise();
      data[i + 2] = 255 * noise();
      data[i + 3] = 255;
    }
  }
  return data;
}

function subRegion(data: Uint8ClampedArray, width: number, height: number, crop: FaceCrop): RgbaRegion {
  const rect = cropSourceRect(crop, width, height)!;
  const out = new Uint8ClampedArray(4 * rect.width * rect.height);
  for (let y = 0; y < rect.height; y++) out.set(data.subarray(4 * ((rect.y + y) * width + rect.x), 4 * ((rect.y + y) * width + rect.x + rect.width)), 4 * y * rect.width);
  return { data: out, rect };
}

/** RGBA pixels as displayed with a clockwise `rotation` (WebCodecs' VideoFrame rotation): width and height swap. */
function rotateClockwise(data: Uint8ClampedArray, width: number, height: number, rotation: 90 | 270): Uint8ClampedArray {
  const out = new Uint8ClampedArray(data.length);
  // Displayed (x, y), height × width: 90° shows coded (y, height − 1 − x), 270° coded (width − 1 − y, x).
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < height; x++) {
      const [cx, cy] = rotation === 90 ? [y, height - 1 - x] : [width - 1 - y, x];
      out.set(data.subarray(4 * (cy * width + cx), 4 * (cy * width + cx) + 4), 4 * (y * height + x));
    }
  }
  return out;
}

async function videoFrameAt(seconds: number): Promise<VideoFrame> {
  const video = document.createElement('video');
  video.muted = true;
  video.src = '/examples/media/webcam-head-motion.mp4';
  await new Promise((r) => (video.onloadeddata = r));
  video.currentTime = seconds;
  await new Promise((r) => (video.onseeked = r));
  return new VideoFrame(video, { timestamp: 0 });
}

/** GPU crop/resize/normalize vs `preprocessCropCpu`: max |difference| per case. */
async function preprocessParity(): Promise<Record<string, number>> {
  const device = await ownDevice();
  const size = 128;
  const gpu = new GpuCropPreprocessor(device, size);
  const plain = upload(device, new Float32Array(3 * size * size)), mirrored = upload(device, new Float32Array(3 * size * size));
  const results: Record<string, number> = {};
  const width = 320, height = 240;
  const image = syntheticImage(width, height);
  const frame = new VideoFrame(image, { format: 'RGBA', codedWidth: width, codedHeight: height, timestamp: 0 });
  const crops: Record<string, FaceCrop> = {
    inside: { x: 40.3, y: 20.7, size: 150.2 },
    overTheEdge: { x: -30.5, y: 150.25, size: 180 },
    upscaled: { x: 100.4, y: 60.6, size: 77.7 },
  };
  for (const [name, crop] of Object.entries(crops)) {
    await gpu.run(frame, width, height, crop, [{ buffer: plain, mirror: false }, { buffer: mirrored, mirror: true }]);
    const region = subRegion(image, width, height, crop);
    results[name] = maxAbsDiff(await download(device, plain), preprocessCropCpu(region, crop, size));
    results[`${name}Mirrored`] = maxAbsDiff(await download(device, mirrored), preprocessCropCpu(region, crop, size, true));
  }
  frame.close();
  // An ImageBitmap source (always copied directly).
  const bitmap = await createImageBitmap(new ImageData(image, width, height));
  await gpu.run(bitmap, width, height, crops['inside']!, [{ buffer: plain, mirror: false }]);
  results['insideBitmap'] = maxAbsDiff(await download(device, plain), preprocessCropCpu(subRegion(image, width, height, crops['inside']!), crops['inside']!, size));
  bitmap.close();
  // A frame that carries a rotation (a phone's camera, a rotated file's decoded frames): the crop is
  // in the displayed (upright) frame's pixels, as MediaPipe's points are, on both paths.
  for (const rotation of [90, 270] as const) {
    const coded = new VideoFrame(image, { format: 'RGBA', codedWidth: width, codedHeight: height, timestamp: 0 });
    const rotated = new VideoFrame(coded, { timestamp: 0, rotation } as VideoFrameInit);
    coded.close();
    const upright = rotateClockwise(image, width, height, rotation);
    const crop = { x: 30.3, y: 80.7, size: 150.2 };
    const region = subRegion(upright, height, width, crop);
    await gpu.run(rotated, rotated.displayWidth, rotated.displayHeight, crop, [{ buffer: plain, mirror: false }]);
    results[`rotated${rotation}`] = maxAbsDiff(await download(device, plain), preprocessCropCpu(region, crop, size));
    results[`rotated${rotation}Cpu`] = maxAbsDiff(preprocessCropCpu(readFrameRegion(rotated, region.rect), crop, size), preprocessCropCpu(region, crop, size));
    results[`rotated${rotation}DisplayWidth`] = rotated.displayWidth;
    rotated.close();
  }
  // A decoded video frame (YUV): the GPU copy and the CPU path's 2D canvas convert it to RGB independently.
  const video = await videoFrameAt(1);
  const crop = { x: 380.5, y: 150.5, size: 420 };
  await gpu.run(video, video.displayWidth, video.displayHeight, crop, [{ buffer: plain, mirror: false }]);
  const rect = cropSourceRect(crop, video.displayWidth, video.displayHeight)!;
  const cpu = preprocessCropCpu(readFrameRegion(video, rect), crop, size);
  const fromGpu = await download(device, plain);
  results['videoFrame'] = maxAbsDiff(fromGpu, cpu);
  results['videoFrameMean'] = fromGpu.reduce((s, v, i) => s + Math.abs(v - cpu[i]!), 0) / cpu.length;
  video.close();
  gpu.dispose();
  device.destroy();
  return results;
}

/** Smooth synthetic maps with a face-like UV field. */
function syntheticMaps(size: number, phase: number): PriorMaps {
  const plane = size * size;
  const uv = new Float32Array(2 * plane), normals = new Float32Array(3 * plane);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const k = y * size + x, sx = (x - size / 2) / (size / 2), sy = (y - size / 2) / (size / 2);
      uv[k] = Math.tanh(1.3 * sx) + 0.03 * Math.sin(y / 5 + phase);
      uv[plane + k] = 0.9 * sy + 0.1 * sx * sx + 0.02 * Math.cos(x / 3 + phase);
      normals[k] = sx;
      normals[plane + k] = -sy;
      normals[2 * plane + k] = 0.5 + 0.1 * Math.sin(x + y + phase);
    }
  }
  return { uv, normals };
}

/** GPU lookup (plain and with the TTA merge) vs `denseLookupCpu`: agreement statistics. */
async function lookupParity(): Promise<Record<string, number>> {
  const device = await ownDevice();
  const size = 128, gridSize = 64;
  let seed = 99;
  const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 1.8 - 0.9;
  const vertexUvs = Float32Array.from({ length: 2 * 1500 }, random);
  const polygon = new Float32Array(72);
  for (let i = 0; i < 36; i++) {
    polygon[2 * i] = 64 + 50 * Math.cos((2 * Math.PI * i) / 36);
    polygon[2 * i + 1] = 64 + 58 * Math.sin((2 * Math.PI * i) / 36);
  }
  const a = syntheticMaps(size, 0), b = syntheticMaps(size, 1.7);
  const toGpu = (m: PriorMaps) => ({ uv: upload(device, m.uv), normals: upload(device, m.normals) });
  const results: Record<string, number> = {};
  // The TTA merge about ICT FaceKit's centre (u = 0), Pixel3DMM's (u = 0.0075) and with no symmetric layout (UVs not merged).
  const cases: [string, { uvMirrorCentre: number | undefined } | undefined][] = [['plain', undefined], ['tta', { uvMirrorCentre: 0 }], ['ttaOffCentre', { uvMirrorCentre: 0.0075 }], ['ttaAsymmetric', { uvMirrorCentre: undefined }]];
  for (const [key, tta] of cases) {
    const lookup = new GpuDenseLookup(device, { size, gridSize, vertexUvs, ...(tta ? { tta } : {}) });
    const gpu = await lookup.run(toGpu(a), polygon, tta ? toGpu(b) : undefined);
    const maps = tta ? mergeMirroredCpu(a, b, size, tta.uvMirrorCentre) : a;
    const cpu = denseLookupCpu({ size, uv: maps.uv, normals: maps.normals, vertexUvs, polygon, gridSize });
    let found = 0, samePixel = 0, samePosition = 0, maxPositionDiff = 0, maxRecordDiff = 0;
    for (let k = 0; k < 1500; k++) {
      const o = k * DENSE_RECORD_FLOATS;
      if (cpu[o]! >= 0) found++;
      // Same pixel chosen: positions agree to sub-pixel rounding; otherwise an equally good neighbour won a float tie.
      if (Math.floor(cpu[o]!) === Math.floor(gpu[o]!) || Math.abs(cpu[o]! - gpu[o]!) < 0.01) {
        if (Math.abs(cpu[o + 1]! - gpu[o + 1]!) < 1) samePixel++;
      }
      const positionDiff = Math.hypot(cpu[o]! - gpu[o]!, cpu[o + 1]! - gpu[o + 1]!);
      if (positionDiff < 0.01) samePosition++;
      maxPositionDiff = Math.max(maxPositionDiff, positionDiff);
      for (let c = 2; c < DENSE_RECORD_FLOATS; c++) maxRecordDiff = Math.max(maxRecordDiff, Math.abs(cpu[o + c]! - gpu[o + c]!));
    }
    results[`${key}Found`] = found / 1500;
    results[`${key}SamePixel`] = samePixel / 1500;
    results[`${key}SamePosition`] = samePosition / 1500;
    results[`${key}MaxPositionDiffPx`] = maxPositionDiff;
    results[`${key}MaxRecordDiff`] = maxRecordDiff;
    lookup.dispose();
  }
  device.destroy();
  return results;
}

/** The same network on WebGPU and on WASM, on a real face crop: max |difference| of each output (also the benchmark's parity figure). */
export async function backendParity(modelUrl: string): Promise<Record<string, number | string>> {
  configureOrt({ loaderUrl: '/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.asyncify.mjs', wasm: '/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.asyncify.wasm' });
  const bytes = new Uint8Array(await (await fetch(modelUrl)).arrayBuffer());
  const spec = readPriorSpec({ combined: bytes }, 'ict-facekit');
  const size = spec.inputSize;
  const video = await videoFrameAt(0.5);
  const crop = { x: 380, y: 150, size: 420 };
  const input = preprocessCropCpu(readFrameRegion(video, cropSourceRect(crop, video.displayWidth, video.displayHeight)!), crop, size);
  video.close();
  const wasm = await PriorNetwork.create({ combined: bytes.slice() }, spec, 'wasm');
  const onWasm = await wasm.runCpu(input);
  const webgpu = await PriorNetwork.create({ combined: bytes.slice() }, spec, 'webgpu');
  const device = await PriorNetwork.gpuDevice();
  const out = { uv: upload(device, new Float32Array(2 * size * size)), normals: upload(device, new Float32Array(3 * size * size)) };
  await webgpu.runGpu(upload(device, input), out);
  const uv = await download(device, out.uv), normals = await download(device, out.normals);
  await wasm.dispose();
  await webgpu.dispose();
  const spread = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
  return { uv: maxAbsDiff(uv, onWasm.uv), normals: maxAbsDiff(normals, onWasm.normals), uvRms: spread(onWasm.uv), inputSize: size };
}

Object.assign(window, { priorKernels: { preprocessParity, lookupParity, backendParity } });
