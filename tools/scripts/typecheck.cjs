#!/usr/bin/env node
// Type-checks one project's TypeScript, specs included, with the settings of the root
// tsconfig.json (which maps @nasx/* to sources, so no build is needed), and reports only that
// project's errors: its dependencies are checked by their own `typecheck` targets. Without an
// argument it checks the whole workspace, as `tsc -p tsconfig.json` does.
const path = require('node:path');
const ts = require('typescript');
const { root } = require('./workspace-packages.cjs');

function typecheck(projectRoot) {
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail([d]) };
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), { incremental: false, noEmit: true }, host);
  if (!parsed) return false;
  const dir = projectRoot ? path.resolve(root, projectRoot) + path.sep : undefined;
  const ours = (file) => dir === undefined || path.resolve(file).startsWith(dir);
  const rootNames = parsed.fileNames.filter(ours);
  if (rootNames.length === 0) return true;
  const options = { ...parsed.options, tsBuildInfoFile: undefined };
  const program = ts.createProgram({ rootNames, options, projectReferences: parsed.projectReferences });
  const diagnostics = [...program.getConfigFileParsingDiagnostics(), ...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  for (const sf of program.getSourceFiles()) {
    if (!ours(sf.fileName) || program.isSourceFileFromExternalLibrary(sf) || sf.isDeclarationFile) continue;
    diagnostics.push(...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf));
  }
  return diagnostics.length === 0 || fail(diagnostics);
}

function fail(diagnostics) {
  const format = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  process.stderr.write(ts.formatDiagnosticsWithColorAndContext(diagnostics, format));
  process.stderr.write(`\n${diagnostics.length} TypeScript error${diagnostics.length === 1 ? '' : 's'}\n`);
  return false;
}

module.exports = { typecheck };

if (require.main === module) process.exit(typecheck(process.argv[2]) ? 0 : 1);
