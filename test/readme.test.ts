/**
 * Every ```ts block of README.md type-checks against the package's root exports (constructs/index.ts, under both
 * package names). A block with imports is a whole program, marked `ts nofixture` so that jsii-rosetta does not wrap
 * it in rosetta/default.ts-fixture when it translates the README for the other languages; a block without is a
 * construct call shown in a stack, and gets the root exports, cdktf's App and TerraformStack and a `stack` in scope.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

interface Snippet { readonly line: number; readonly file: string; readonly text: string; readonly preludeLines: number }

function snippets(): Snippet[] {
  const rootExports = Object.keys(require('../constructs')).join(', ');
  const prelude = [
    "import { App, TerraformStack } from 'cdktf';",
    `import { ${rootExports} } from 'cdktf-saas-permissions';`,
    'declare const stack: TerraformStack;',
  ];
  return [...README.matchAll(/^```ts(?: [^\n]*)?\n([\s\S]*?)^```/gm)].map((match, i) => {
    const code = match[1];
    const line = README.slice(0, match.index).split('\n').length + 1;
    const head = /^import /m.test(code) ? [] : prelude;
    // Inside the repository, so the snippets resolve cdktf, cdktn and constructs from its node_modules.
    return { line, file: path.join(ROOT, `readme-snippet-${i + 1}.ts`), text: [...head, code].join('\n'), preludeLines: head.length };
  });
}

/** Type-checks every snippet in one program; returns the messages per snippet, located in README.md. */
function check(all: Snippet[]): Map<Snippet, string[]> {
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true,
    skipLibCheck: true, types: ['node'], baseUrl: ROOT,
    paths: { 'cdktf-saas-permissions': ['constructs/index.ts'], 'cdktn-saas-permissions': ['constructs/index.ts'] },
  };
  const byFile = new Map(all.map((s) => [s.file, s]));
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (file, version, ...rest) => {
    const snippet = byFile.get(path.resolve(file));
    return snippet ? ts.createSourceFile(file, snippet.text, version) : getSourceFile.call(host, file, version, ...rest);
  };
  host.fileExists = (file) => byFile.has(path.resolve(file)) || fileExists.call(host, file);
  host.readFile = (file) => byFile.get(path.resolve(file))?.text ?? readFile.call(host, file);
  const program = ts.createProgram([...byFile.keys()], options, host);
  const out = new Map(all.map((s) => [s, [] as string[]]));
  for (const snippet of all) {
    const source = program.getSourceFile(snippet.file)!;
    for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      const { line } = source.getLineAndCharacterOfPosition(d.start ?? 0);
      out.get(snippet)!.push(`README.md:${snippet.line + line - snippet.preludeLines}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
  }
  return out;
}

describe('README.md', () => {
  const all = snippets();
  const results = check(all);

  test('has a whole program for each core among its TypeScript snippets', () => {
    expect(all.some((s) => s.preludeLines === 0 && /from 'cdktf-saas-permissions'/.test(s.text))).toBe(true);
    expect(all.some((s) => s.preludeLines === 0 && /from 'cdktn-saas-permissions'/.test(s.text))).toBe(true);
  });

  test.each(all.map((s) => [s.line, s] as const))('the snippet at line %i compiles', (_line, snippet) => {
    expect(results.get(snippet)).toEqual([]);
  });

  test('marks every whole program `nofixture` and no other block, for jsii-rosetta', () => {
    for (const match of README.matchAll(/^```ts( nofixture)?\n([\s\S]*?)^```/gm)) {
      expect({ code: match[2].slice(0, 60), nofixture: Boolean(match[1]) }).toEqual({ code: match[2].slice(0, 60), nofixture: /^import /m.test(match[2]) });
    }
  });
});
