/**
 * Every type the public API names is exported from the package root, so a user can name it too. jsii checks this for
 * classes and interfaces but widens type aliases (RemovalPolicy, VendorName) to string, so this walks the
 * declarations of the root's exports with the TypeScript checker: public and protected members that are not
 * @internal, their parameter, property and return types, and the classes and interfaces they extend (an @internal
 * one, as PermissionSource, is hidden on purpose).
 */
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');

function program(): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.build.json'), {}, {
    ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  })!;
  return ts.createProgram(config.fileNames, config.options);
}

const isInternal = (node: ts.Node) => ts.getJSDocTags(node).some((t) => t.tagName.text === 'internal');

/** Private, #private, @internal or `_`-named: not part of the API a user sees. */
function isHidden(member: ts.Node): boolean {
  const name = (member as ts.NamedDeclaration).name;
  const isPrivate = (ts.getCombinedModifierFlags(member as ts.Declaration) & ts.ModifierFlags.Private) !== 0;
  return isPrivate || isInternal(member) || (name !== undefined && (ts.isPrivateIdentifier(name) || (ts.isIdentifier(name) && name.text.startsWith('_'))));
}

/** The type annotations of a declaration's signature (not of its body). */
function signatureTypes(node: ts.Node): ts.Node[] {
  const out: ts.Node[] = [];
  if (ts.isPropertyDeclaration(node) || ts.isPropertySignature(node) || ts.isGetAccessorDeclaration(node)) out.push(...(node.type ? [node.type] : []));
  if (ts.isMethodDeclaration(node) || ts.isMethodSignature(node) || ts.isConstructorDeclaration(node)) {
    out.push(...node.parameters.flatMap((p) => (p.type ? [p.type] : [])), ...(node.type ? [node.type] : []));
  }
  if (ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) out.push(...(node.heritageClauses ?? []).flatMap((h) => [...h.types]));
  return out;
}

function unexportedTypes(): string[] {
  const prog = program();
  const checker = prog.getTypeChecker();
  const index = prog.getSourceFile(path.join(ROOT, 'constructs/index.ts'))!;
  const resolve = (s: ts.Symbol) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const exported = new Set(checker.getExportsOfModule(checker.getSymbolAtLocation(index)!).map(resolve));
  const missing = new Set<string>();
  const visit = (node: ts.Node, where: string) => {
    if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node)) {
      const name = ts.isTypeReferenceNode(node) ? node.typeName : node.expression;
      const symbol = checker.getSymbolAtLocation(name);
      const declaration = symbol && resolve(symbol).declarations?.[0];
      const file = declaration?.getSourceFile().fileName ?? '';
      const ours = file.startsWith(ROOT) && !file.includes('node_modules');
      if (symbol && ours && !isInternal(declaration!) && !exported.has(resolve(symbol))) {
        missing.add(`${resolve(symbol).name} (in ${where})`);
      }
    }
    ts.forEachChild(node, (child) => visit(child, where));
  };
  for (const symbol of exported) {
    for (const declaration of symbol.declarations ?? []) {
      if (isInternal(declaration) || !(ts.isClassDeclaration(declaration) || ts.isInterfaceDeclaration(declaration))) continue;
      for (const type of signatureTypes(declaration)) visit(type, symbol.name);
      for (const member of declaration.members as ts.NodeArray<ts.Node>) {
        if (isHidden(member)) continue;
        for (const type of signatureTypes(member)) visit(type, symbol.name);
      }
    }
  }
  return [...missing].sort();
}

test('every type named by the public API is exported from the root', () => {
  expect(unexportedTypes()).toEqual([]);
});
