/**
 * Every type an author meets in the published declarations can be named from an entry point: a
 * parameter, a return type, a field of a report, a base interface. Otherwise an author who wants
 * to annotate a variable, write a helper or build an object ahead of a call has to spell it as
 * `Parameters<typeof x>[1]['y']`, and a type we rename behind an entry breaks them silently.
 *
 * Reads the built `dist/*.d.ts` (what ships; `npm test` builds first) and walks, from each entry's
 * exports, every type reference reachable through declarations of this package. Not reported,
 * because an author never needs the name: a module-private type alias (a shorthand for a type the
 * author can spell from public names; the walk still checks what it expands to), `private` and
 * `protected` members, the constructor of a class that no entry exports as a value, a base class
 * (its public members show on the class that extends it) and a value reached through `typeof`.
 */
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const dist = join(import.meta.dirname, '..', 'dist');
const ENTRIES = [
  'index.d.ts',
  'vitest/setup.d.ts',
  'vitest/matchers/index.d.ts',
  'wat/index.d.ts',
  'plugin/index.d.ts',
];

interface Unnameable {
  readonly name: string;
  readonly declaredIn: string;
  readonly reachedFrom: string;
}

function unnameableTypes(): Unnameable[] {
  const files = ENTRIES.map((entry) => join(dist, entry));
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const resolved = (symbol: ts.Symbol): ts.Symbol =>
    symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const ours = (decl: ts.Node) => decl.getSourceFile().fileName.startsWith(dist + sep);

  /** Whether an export reaches its declaration through an `export type` somewhere along the way. */
  function typeOnly(symbol: ts.Symbol): boolean {
    let link: ts.Symbol | undefined = symbol;
    for (let hops = 0; link !== undefined && link.flags & ts.SymbolFlags.Alias && hops < 32; hops++) {
      if (
        link.declarations?.some((d) => ts.isTypeOnlyExportDeclaration(d) || ts.isTypeOnlyImportDeclaration(d))
      )
        return true;
      link = checker.getImmediateAliasedSymbol(link);
    }
    return false;
  }

  const named = new Set<ts.Symbol>();
  const constructible = new Set<ts.Symbol>();
  const queue: { symbol: ts.Symbol; path: string }[] = [];
  for (const file of files) {
    const source = program.getSourceFile(file);
    const module = source && checker.getSymbolAtLocation(source);
    expect(module, `the built entry ${file} (run \`npm run build\`)`).toBeDefined();
    for (const exported of checker.getExportsOfModule(module as ts.Symbol)) {
      const target = resolved(exported);
      named.add(target);
      if (!typeOnly(exported)) constructible.add(target);
      queue.push({ symbol: target, path: `${relative(dist, file)}: ${exported.name}` });
    }
  }

  const hidden = (node: ts.Node) =>
    ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some(
      (m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword,
    );
  const shorthand = (symbol: ts.Symbol) =>
    symbol.declarations?.every(
      (d) =>
        ts.isTypeAliasDeclaration(d) &&
        !(ts.getModifiers(d) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword),
    ) ?? false;

  const found = new Map<string, Unnameable>();
  const visited = new Set<ts.Symbol>();
  while (queue.length > 0) {
    const { symbol, path } = queue.shift() as { symbol: ts.Symbol; path: string };
    if (visited.has(symbol)) continue;
    visited.add(symbol);
    const visit = (node: ts.Node): void => {
      if (hidden(node)) return;
      if (ts.isConstructorDeclaration(node) && !constructible.has(symbol)) return;
      let reference: ts.Node | undefined;
      let mustBeNamed = true;
      if (ts.isTypeReferenceNode(node)) reference = node.typeName;
      else if (ts.isImportTypeNode(node)) reference = node.qualifier;
      else if (ts.isExpressionWithTypeArguments(node) || ts.isTypeQueryNode(node)) {
        reference = ts.isTypeQueryNode(node) ? node.exprName : node.expression;
        mustBeNamed = false;
      }
      if (reference !== undefined && ts.isQualifiedName(reference)) reference = reference.right;
      const raw = reference === undefined ? undefined : checker.getSymbolAtLocation(reference);
      const target = raw === undefined ? undefined : resolved(raw);
      if (
        target !== undefined &&
        !(target.flags & ts.SymbolFlags.TypeParameter) &&
        (target.declarations ?? []).some(ours)
      ) {
        if (mustBeNamed && !named.has(target) && !shorthand(target)) {
          const [first] = target.declarations ?? [];
          const declaredIn = first === undefined ? '?' : relative(dist, first.getSourceFile().fileName);
          found.set(`${target.name} ${declaredIn}`, { name: target.name, declaredIn, reachedFrom: path });
        }
        queue.push({ symbol: target, path: `${path} > ${target.name}` });
      }
      ts.forEachChild(node, visit);
    };
    for (const decl of symbol.declarations ?? []) if (ours(decl)) visit(decl);
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

describe('the published declarations', () => {
  it('name no type that an author cannot import from an entry point', () => {
    expect(unnameableTypes()).toEqual([]);
  }, 60_000);
});
