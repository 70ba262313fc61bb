import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importFlameCommand } from '../../scripts/cli/importFlame.js';
import { buildFlameOnTemplate, writeFlameOnTemplate } from '../../scripts/fixtures/flameOnTemplate.js';
import { readFaceModel } from '../../src/core/model/readFaceModel.js';
import { runPython } from './pythonFixtures.js';

const root = new URL('../..', import.meta.url).pathname;

/**
 * The FLAME-layout fixture on FLAME's real template (scripts/fixtures/flameOnTemplate.ts, written
 * as a FLAME 2023 pickle and imported with `import-flame`), built once into
 * test-results/bench-flame/flame.glb (about a minute) and reused after. Returns its path.
 */
export async function flameFixtureModel(): Promise<string> {
  const dir = join(root, 'test-results/bench-flame');
  const glb = join(dir, 'flame.glb');
  if (existsSync(glb)) return glb;
  mkdirSync(dir, { recursive: true });
  const reference = await readFaceModel(new Uint8Array(readFileSync(join(root, 'models/face-default.glb'))));
  writeFlameOnTemplate(dir, buildFlameOnTemplate(readFileSync(join(root, 'test/fixtures/pixel3dmm/head_template.obj'), 'utf8'), reference));
  runPython('make_flame_on_template.py', [dir, dir]);
  await importFlameCommand([join(dir, 'flame2023.pkl'), '--uv', join(dir, 'head_template.obj'), '-o', glb]);
  return glb;
}
