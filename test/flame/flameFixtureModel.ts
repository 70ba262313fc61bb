import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importFlameCommand } from '../../scripts/cli/importFlame.js';
import { buildFlameOnTemplate, writeFlameOnTemplate } from '../../scripts/fixtures/flameOnTemplate.js';
import { readFaceModel } from '../../src/core/model/readFaceModel.js';
import { runPython } from './pythonFixtures.js';

const root = new URL('../..', import.meta.url).pathname;

/**
 * The FLAME-layout fixture on FLAME's real template (scripts/fixtures/flameOnTemplate.ts, written
 * as a FLAME 2023 pickle and imported with `import-flame`), built once into
 * test-results/bench-flame/flame.glb (about a minute) and reused while what it is built from is
 * unchanged (`SOURCES`, hashed into flame.glb.sources). Returns its path.
 */
export async function flameFixtureModel(): Promise<string> {
  const dir = join(root, 'test-results/bench-flame');
  const glb = join(dir, 'flame.glb'), keyFile = join(dir, 'flame.glb.sources');
  const key = sourcesHash();
  if (existsSync(glb) && existsSync(keyFile) && readFileSync(keyFile, 'utf8') === key) return glb;
  mkdirSync(dir, { recursive: true });
  const reference = await readFaceModel(new Uint8Array(readFileSync(join(root, 'models/face-default.glb'))));
  writeFlameOnTemplate(dir, buildFlameOnTemplate(readFileSync(join(root, 'test/fixtures/pixel3dmm/head_template.obj'), 'utf8'), reference));
  runPython('make_flame_on_template.py', [dir, dir]);
  await importFlameCommand([join(dir, 'flame2023.pkl'), '--uv', join(dir, 'head_template.obj'), '-o', glb]);
  writeFileSync(keyFile, key);
  return glb;
}

/** What the fixture is built from: a change to any of it (the importer above all) builds it again. */
const SOURCES = ['src/authoring', 'src/core/model', 'scripts/cli/importFlame.ts', 'scripts/fixtures/flameOnTemplate.ts', 'scripts/fixtures/make_flame_on_template.py', 'models/face-default.glb', 'test/fixtures/pixel3dmm/head_template.obj'];

function sourcesHash(): string {
  const hash = createHash('sha256');
  const add = (path: string): void => {
    if (statSync(path).isDirectory()) for (const name of readdirSync(path).sort()) add(join(path, name));
    else hash.update(path.slice(root.length)).update(readFileSync(path));
  };
  for (const source of SOURCES) add(join(root, source));
  return hash.digest('hex');
}
