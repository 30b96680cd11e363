// One jest run over every package: specs beside the code (`*.spec.ts`), TypeScript through
// @swc/jest, and `@nasx/*` imports mapped to package sources so tests never need a build.
const path = require('node:path');
const { workspacePackages } = require('./tools/scripts/workspace-packages.cjs');

// jest runs suites on both cores; a oneDNN (onednn backend) with a thread per core in each worker
// would put twice as many threads as cores, and its barriers then stall. One oneDNN thread each.
process.env.OMP_NUM_THREADS ??= '1';

const moduleNameMapper = {};
for (const p of workspacePackages()) {
  if (p.hasTsconfig) moduleNameMapper[`^${p.name.replace('/', '\\/')}$`] = path.join(p.dir, 'src', 'index.ts');
}

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/plugins', '<rootDir>/apps', '<rootDir>/tools'],
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/__fixtures__/'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/', '<rootDir>/runs/', '<rootDir>/tmp/'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleNameMapper,
  testTimeout: 120000,
  // Jest's default is one worker per core minus one, i.e. one on a 2-core machine: both cores, since
  // most suites are single-threaded TensorFlow.js (wasm) work.
  maxWorkers: 2,
  // A worker that has finished its last suite leaves by letting its event loop drain, and Node then
  // tears down the whole V8 heap before the process ends. After a few hundred suites that heap is
  // over 1 GB and the teardown takes 0.6-0.8 s on a 2-core machine (measured: both workers emit
  // 'exit' within 1 ms of jest's END message with no handle left, and vanish 0.7-0.8 s later).
  // Jest's default grace of 500 ms then kills them and prints "A worker process has failed to exit
  // gracefully", which here reports no leak. Three seconds covers a loaded machine.
  workerGracefulExitTimeout: 3000,
  // Slowest files first, also on a fresh clone (tools/jest/sequencer.cjs).
  testSequencer: '<rootDir>/tools/jest/sequencer.cjs',
};
