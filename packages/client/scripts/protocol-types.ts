import ts from 'typescript';

/**
 * The protocol types the SDK takes from @matchmaking/core, as one
 * self-contained declaration file, so the published d.ts needs no other
 * package. Core's plain declarations (ServerEvent, QueueStats, ...) are
 * copied with their comments, and the types they use with them; the ones
 * core derives from its zod schemas or constants (ClientAction = z.infer<...>,
 * ErrorCode = (typeof ErrorCode)[...]) are written out as the TypeScript
 * compiler resolves them: the same types, without zod. One source of truth
 * still: this runs at every build.
 */
export function protocolDeclarations(protocolModule: string, compilerOptions: ts.CompilerOptions): string {
  const program = ts.createProgram([protocolModule], { ...compilerOptions, noEmit: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(protocolModule);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`cannot read ${protocolModule}`);

  const written = new Map<string, string>();
  const pending: ts.Symbol[] = checker
    .getExportsOfModule(moduleSymbol)
    .filter((symbol) => symbol.flags & ts.SymbolFlags.Alias)
    .map((symbol) => checker.getAliasedSymbol(symbol));

  while (pending.length > 0) {
    const symbol = pending.pop() as ts.Symbol;
    if (written.has(symbol.name)) continue;
    const declaration = symbol.declarations?.find(
      (d) => ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d),
    ) as ts.InterfaceDeclaration | ts.TypeAliasDeclaration | undefined;
    if (!declaration) throw new Error(`${symbol.name}: not a type declaration core exports`);
    const file = declaration.getSourceFile();
    const docs = leadingDocs(declaration, file);
    if (derivesFromValues(declaration)) {
      const type = checker.getDeclaredTypeOfSymbol(symbol);
      const text = checker.typeToString(
        type,
        undefined,
        ts.TypeFormatFlags.NoTruncation |
          ts.TypeFormatFlags.InTypeAlias |
          ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType,
      );
      written.set(symbol.name, `${docs}export type ${symbol.name} = ${text};`);
      pending.push(...referencedTypes(checker, type));
    } else {
      const text = declaration.getText(file).replace(/^(export\s+)?/, 'export ');
      written.set(symbol.name, `${docs}${text}`);
      pending.push(...typesNamedIn(checker, declaration));
    }
  }
  return `${[...written.values()].join('\n\n')}\n`;
}

/** A declaration that reads a value (`typeof schema`, `z.infer<...>`): it must be resolved, not copied. */
function derivesFromValues(declaration: ts.Node): boolean {
  let found = false;
  const visit = (node: ts.Node) => {
    if (ts.isTypeQueryNode(node)) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(declaration);
  return found;
}

/** Types named in a copied declaration that it does not declare itself (core's other types). */
function typesNamedIn(checker: ts.TypeChecker, declaration: ts.Node): ts.Symbol[] {
  const found: ts.Symbol[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isTypeReferenceNode(node)) {
      const symbol = checker.getSymbolAtLocation(node.typeName);
      const target =
        symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      if (target && isCoreType(target)) found.push(target);
    }
    ts.forEachChild(node, visit);
  };
  visit(declaration);
  return found;
}

/** Named types a resolved type still mentions (a union member written as an alias of core, e.g. Team). */
function referencedTypes(checker: ts.TypeChecker, type: ts.Type): ts.Symbol[] {
  const node = checker.typeToTypeNode(
    type,
    undefined,
    ts.NodeBuilderFlags.NoTruncation | ts.NodeBuilderFlags.InTypeAlias,
  );
  const found: ts.Symbol[] = [];
  const visit = (child: ts.Node) => {
    if (ts.isTypeReferenceNode(child) && ts.isIdentifier(child.typeName)) {
      const symbol = checker.resolveName(child.typeName.text, undefined, ts.SymbolFlags.Type, false);
      if (symbol && isCoreType(symbol)) found.push(symbol);
    }
    ts.forEachChild(child, visit);
  };
  if (node) visit(node);
  return found;
}

function isCoreType(symbol: ts.Symbol): boolean {
  return (symbol.declarations ?? []).some(
    (d) =>
      (ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d)) &&
      /[\\/]packages[\\/]core[\\/]src[\\/]/.test(d.getSourceFile().fileName),
  );
}

/** The declaration's JSDoc, as written. */
function leadingDocs(declaration: ts.Node, file: ts.SourceFile): string {
  const ranges = ts.getLeadingCommentRanges(file.text, declaration.getFullStart()) ?? [];
  const docs = ranges
    .map((range) => file.text.slice(range.pos, range.end))
    .filter((comment) => comment.startsWith('/**'));
  return docs.length > 0 ? `${docs.join('\n')}\n` : '';
}
