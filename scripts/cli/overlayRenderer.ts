/**
 * The fitted mesh drawn over its video frame: three.js renders the face region shaded (a key
 * and an ambient light) through the tracker's own pinhole camera, so it registers with the face;
 * the layer is laid over the frame half-transparent, the face still visible through it.
 * WebGL in headless Chromium is SwiftShader where there is no GPU: correct, fast enough for a
 * mesh of a few thousand triangles a frame.
 */
import { AmbientLight, BufferAttribute, BufferGeometry, DirectionalLight, DoubleSide, Mesh, MeshStandardMaterial, PerspectiveCamera, Scene, WebGLRenderer } from 'three';
import { FaceModelEvaluator, transformToCamera, type FaceModel } from '../../src/core/index.js';
import type { FaceFrame } from '../../src/index.js';
import { setCameraFromPinhole } from '../../src/sdk/three/setCameraFromPinhole.js';

/** How much the mesh layer covers the frame: enough to read the shape, little enough to see the face. */
const MESH_OPACITY = 0.6;

export class OverlayRenderer {
  /** The frame with the mesh over it, at the video's size. */
  readonly canvas: OffscreenCanvas;
  private readonly context: OffscreenCanvasRenderingContext2D;
  private readonly renderer: WebGLRenderer;
  private readonly scene = new Scene();
  private readonly camera = new PerspectiveCamera();
  private readonly geometry = new BufferGeometry();
  private readonly material = new MeshStandardMaterial({ color: 0x86b4ff, roughness: 0.45, metalness: 0, side: DoubleSide });
  private readonly evaluator: FaceModelEvaluator;

  constructor(private readonly model: FaceModel, width: number, height: number) {
    this.canvas = new OffscreenCanvas(width, height);
    this.context = this.canvas.getContext('2d')!;
    const layer = new OffscreenCanvas(width, height);
    this.renderer = new WebGLRenderer({ canvas: layer, alpha: true, antialias: true });
    this.renderer.setSize(width, height, false);
    this.renderer.setClearColor(0x000000, 0);
    this.evaluator = new FaceModelEvaluator(model);
    // The face region only (what the fit sees): the skull, eyeballs and mouth interior would hide hair and eyes.
    const inRegion = new Uint8Array(model.vertexCount);
    model.fittingRegion.forEach((v) => (inRegion[v] = 1));
    const faces: number[] = [];
    const t = model.triangles;
    for (let k = 0; k < t.length; k += 3) if (inRegion[t[k]!] && inRegion[t[k + 1]!] && inRegion[t[k + 2]!]) faces.push(t[k]!, t[k + 1]!, t[k + 2]!);
    this.geometry.setIndex(faces);
    this.geometry.setAttribute('position', new BufferAttribute(new Float32Array(3 * model.vertexCount), 3));
    this.scene.add(new Mesh(this.geometry, this.material));
    // Camera space: a key light from the upper left at a slant, so the face's relief reads, and a
    // dim fill from the right so the far side stays visible.
    const key = new DirectionalLight(0xffffff, 3.6);
    key.position.set(-1, 0.8, 0.6);
    const fill = new DirectionalLight(0xffffff, 0.7);
    fill.position.set(1, -0.2, 0.5);
    this.scene.add(key, fill, new AmbientLight(0xffffff, 0.15));
  }

  /** Draws `image` with the fit of `frame` (none: the image alone) onto `canvas`. */
  draw(image: CanvasImageSource, frame: FaceFrame | null): void {
    const { width, height } = this.canvas;
    this.context.drawImage(image, 0, 0, width, height);
    if (!frame) return;
    const position = this.geometry.getAttribute('position') as BufferAttribute;
    const vertices = position.array as Float32Array;
    this.evaluator.evaluateMesh({ identity: frame.identity, expression: frame.expression, jointRotations: frame.jointRotations }, vertices);
    transformToCamera(vertices, frame.pose.rotation, frame.pose.translation);
    position.needsUpdate = true;
    this.geometry.computeVertexNormals();
    this.geometry.computeBoundingSphere();
    setCameraFromPinhole(this.camera, frame.camera, { metersPerUnit: this.model.metersPerUnit });
    this.renderer.render(this.scene, this.camera);
    this.context.globalAlpha = MESH_OPACITY;
    this.context.drawImage(this.renderer.domElement, 0, 0);
    this.context.globalAlpha = 1;
  }

  dispose(): void {
    this.geometry.dispose();
    this.material.dispose();
    this.renderer.dispose();
  }
}
