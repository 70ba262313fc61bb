/**
 * The layout's rules (docs/architecture.md, "Folders and what each may import"), checked on the
 * real import graph of src/: who may import whom, and no import cycles anywhere.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findCycles, readImportGraph, type ImportEdge } from './importGraph.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The bottom of src/workers: the contracts and the plumbing both sides of a worker boundary share. */
const CONTRACTS = ['src/workers/protocol.ts', 'src/workers/priorProtocol.ts', 'src/workers/wireError.ts', 'src/workers/wasmRuntime.ts', 'src/workers/moduleWorker.ts'];

/** Per folder (or file): the folders and files it may import; `typesOnly`: those it may import types from, no code. */
const RULES: { path: string; may: string[]; typesOnly?: string[] }[] = [
  { path: 'src/core/', may: ['src/core/'] },
  { path: 'src/authoring/', may: ['src/core/', 'src/authoring/'] },
  ...CONTRACTS.map((path) => ({ path, may: ['src/core/', ...CONTRACTS] })),
  { path: 'src/workers/tracking/', may: ['src/core/', ...CONTRACTS, 'src/workers/tracking/'] },
  { path: 'src/workers/prior/', may: ['src/core/', ...CONTRACTS, 'src/workers/prior/'] },
  // The page runs MediaPipe itself where a browser cannot run it in the worker.
  { path: 'src/sdk/tracker/', may: ['src/core/', ...CONTRACTS, 'src/sdk/tracker/', 'src/workers/tracking/LandmarkDetector.ts'] },
  { path: 'src/sdk/three/', may: ['src/core/', 'src/sdk/three/', 'src/sdk/tracker/fetchAsset.ts'] },
  { path: 'src/sdk/record/', may: ['src/core/', 'src/sdk/record/'], typesOnly: ['src/sdk/three/'] },
  { path: 'src/index.ts', may: ['src/core/', ...CONTRACTS, 'src/sdk/tracker/'] },
  { path: 'src/three.ts', may: ['src/core/', 'src/sdk/three/'] },
  { path: 'src/record.ts', may: ['src/core/', 'src/sdk/record/'] },
];

/** The most specific rule for a file. */
const ruleFor = (file: string) => RULES.filter((r) => file === r.path || (r.path.endsWith('/') && file.startsWith(r.path))).sort((a, b) => b.path.length - a.path.length)[0];

function violations(edges: ImportEdge[]): string[] {
  return edges.flatMap((e) => {
    const rule = ruleFor(e.from);
    if (!rule) return [`${e.from} is in no folder of the layout`];
    const under = (paths: string[]) => paths.some((p) => e.to === p || (p.endsWith('/') && e.to.startsWith(p)));
    if (under(rule.may) || (e.typeOnly && under(rule.typesOnly ?? []))) return [];
    return [`${e.from} imports ${e.typeOnly ? 'types from ' : ''}${e.to}`];
  });
}

describe('the layout of src/', () => {
  const { files, edges } = readImportGraph(repoRoot);

  it('reads the real graph: every file, every import resolving to a file', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(edges.length).toBeGreaterThan(300);
    expect(edges.filter((e) => !existsSync(`${repoRoot}${e.to}`)).map((e) => `${e.from} → ${e.to}`)).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(findCycles(files, edges)).toEqual([]);
  });

  it('keeps every import within what its folder may import (runtime code never imports authoring code)', () => {
    expect(violations(edges)).toEqual([]);
  });

  it('would catch a cycle and a forbidden import (the checks themselves)', () => {
    const fake: ImportEdge[] = [
      { from: 'src/core/a.ts', to: 'src/core/b.ts', typeOnly: true },
      { from: 'src/core/b.ts', to: 'src/core/a.ts', typeOnly: false },
      { from: 'src/workers/tracking/x.ts', to: 'src/authoring/flame/importFlame.ts', typeOnly: false },
      { from: 'src/sdk/record/Take.ts', to: 'src/sdk/three/loadFaceModel.ts', typeOnly: false },
    ];
    expect(findCycles(['src/core/a.ts', 'src/core/b.ts'], fake)).toEqual([['src/core/a.ts', 'src/core/b.ts']]);
    expect(violations(fake)).toEqual(['src/workers/tracking/x.ts imports src/authoring/flame/importFlame.ts', 'src/sdk/record/Take.ts imports src/sdk/three/loadFaceModel.ts']);
  });
});
