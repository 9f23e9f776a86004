import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, type Manifest, modelModule } from './kubernetes-schema.ts';

/**
 * Unknown fields, which the API's schemas allow (a typo such as `livenesProbe` would be dropped
 * by the API server, or refused only with `--validate=strict`): each manifest is written as an
 * object literal typed with its kubernetes-models interface, and TypeScript's excess-property
 * check names every field the kind does not have, at any depth, with a "did you mean".
 */
export function strictFieldProblems(manifests: Manifest[]): string[] {
  const lines: string[] = [];
  // Which manifest each generated line belongs to, for the messages.
  const owners: Manifest[] = [];
  const emit = (text: string, owner: Manifest) => {
    for (const line of text.split('\n')) {
      lines.push(line);
      owners.push(owner);
    }
  };
  manifests.forEach((manifest, index) => {
    const path = modelModule(String(manifest.apiVersion), String(manifest.kind));
    if (path === null) return; // the schema check reports it
    emit(
      `import type { I${String(manifest.kind)} as T${index} } from '${path}';\n` +
        `export const manifest${index}: T${index} = ${JSON.stringify(manifest, null, 2)};`,
      manifest,
    );
  });

  // A virtual file beside this package, so that kubernetes-models resolves from its node_modules.
  const fileName = join(dirname(fileURLToPath(import.meta.url)), '__rendered-manifests__.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const source = ts.createSourceFile(fileName, lines.join('\n'), ts.ScriptTarget.ES2022, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, ...rest) => (name === fileName ? source : getSourceFile(name, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);

  const program = ts.createProgram([fileName], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (diagnostic.file?.fileName !== fileName || diagnostic.start === undefined) return message;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const owner = owners[line];
    return owner ? `${describe(owner)}: ${message}` : message;
  });
}
