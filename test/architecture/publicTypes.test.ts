/**
 * The package's public surface, read from the built declarations (dist/*.d.ts) as a user's
 * TypeScript sees them: every entry point builds with its types, and every type a public
 * signature mentions can be imported by name from some entry point.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const ENTRIES = ['dist/index.d.ts', 'dist/three.d.ts', 'dist/record.d.ts', 'dist/core/index.d.ts'].map((f) => `${repoRoot}${f}`);
const distDir = `${repoRoot}dist/`;

/** The named types our declarations use in public signatures (followed transitively) that no entry point exports. */
function unexportedPublicTypes(program: ts.Program): string[] {
  const checker = program.getTypeChecker();
  const resolve = (symbol: ts.Symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
  const exported = new Set<ts.Symbol>();
  for (const entry of ENTRIES) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
    for (const symbol of checker.getExportsOfModule(module)) exported.add(resolve(symbol));
  }
  const named = ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class | ts.SymbolFlags.Enum;
  const ours = (symbol: ts.Symbol) => symbol.declarations?.some((d) => d.getSourceFile().fileName.startsWith(distDir)) ?? false;
  const missing = new Map<string, string>();
  const visited = new Set<ts.Symbol>();
  const visitSymbol = (symbol: ts.Symbol, usedBy: string) => {
    if (visited.has(symbol)) return;
    visited.add(symbol);
    if (symbol.flags & named && ours(symbol) && !exported.has(symbol)) missing.set(symbol.name, usedBy);
    for (const declaration of symbol.declarations ?? []) if (declaration.getSourceFile().fileName.startsWith(distDir)) visitNode(declaration, symbol.name);
  };
  const visitNode = (node: ts.Node, owner: string): void => {
    // Private members are emitted without their types: nothing a user sees.
    if ((ts.isPropertyDeclaration(node) || ts.isMethodDeclaration(node)) && node.modifiers?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword)) return;
    const name = ts.isTypeReferenceNode(node) ? node.typeName : ts.isExpressionWithTypeArguments(node) ? node.expression : undefined;
    if (name) {
      const symbol = checker.getSymbolAtLocation(ts.isQualifiedName(name) ? name.right : name);
      if (symbol) visitSymbol(resolve(symbol), owner);
    }
    ts.forEachChild(node, (child) => visitNode(child, owner));
  };
  for (const symbol of exported) visitSymbol(symbol, '(entry)');
  return [...missing].map(([type, usedBy]) => `${type} (used by ${usedBy})`).sort();
}

describe('the public types', () => {
  it('build: every entry point has declarations that type-check as a user compiles them', () => {
    for (const entry of ENTRIES) expect(existsSync(entry), `${entry} (run npm run build)`).toBe(true);
    const program = ts.createProgram(ENTRIES, {
      noEmit: true,
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      types: [],
    });
    // Our declarations only: a dependency's own (onnxruntime-web's, three's) are the user's skipLibCheck to make.
    const errors = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => !d.file || d.file.fileName.startsWith(distDir))
      .map((d) => `${d.file?.fileName.slice(repoRoot.length) ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(errors).toEqual([]);
    expect(unexportedPublicTypes(program)).toEqual([]);
  });
});
