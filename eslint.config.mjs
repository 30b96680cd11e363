// ESLint for the whole workspace (flat config): typescript-eslint's recommended rules through Nx's
// presets, the layers of the architecture as @nx/enforce-module-boundaries constraints, and
// eslint-config-prettier last so that formatting is Prettier's alone (`npm run lint` runs both).
//
// The layers are tags that tools/scripts/nx-projects.cjs derives from where a project lives:
//   type:contracts  libs/contracts   depends on nothing of ours
//   type:lib        libs/*           contracts and other libs
//   type:plugin     plugins/*        contracts and libs, never another plugin
//   type:app        apps/*           contracts, libs and plugins
//   type:tool       tools/*          anything but an app
// Test code (specs and __fixtures__) of libs and plugins may also use plugins as fixtures: a
// searcher's science test needs a real search space and a benchmark table, and a lib's test needs
// a real space to encode. Test code is never part of a package's build, so no shipped plugin
// depends on another. Only libs/tensor may import @tensorflow/* (everyone else uses its `tf`).
import nx from '@nx/eslint-plugin';
import globals from 'globals';

const TEST_FILES = ['**/*.spec.ts', '**/__fixtures__/**'];

const SHIPPED = {
  'type:contracts': [],
  'type:lib': ['type:contracts', 'type:lib'],
  'type:plugin': ['type:contracts', 'type:lib'],
  'type:app': ['type:contracts', 'type:lib', 'type:plugin'],
  'type:tool': ['type:contracts', 'type:lib', 'type:plugin', 'type:tool'],
};
const IN_TESTS = {
  ...SHIPPED,
  'type:lib': ['type:contracts', 'type:lib', 'type:plugin'],
  'type:plugin': ['type:contracts', 'type:lib', 'type:plugin'],
};

/** The options of @nx/enforce-module-boundaries for one kind of file. */
function boundaries(layers, { tensorflow }) {
  return [
    'error',
    {
      allow: [],
      // @nasx/testing's test kernel runs @nasx/kernel, whose own specs use @nasx/testing: a cycle
      // through test code only (no build of either imports the other's spec files).
      ignoredCircularDependencies: [['@nasx/kernel', '@nasx/testing']],
      // Nx's lazy-loading check is for front-end bundles; here `await import()` only defers
      // loading TensorFlow.js or a plugin, and a static import elsewhere is fine.
      checkDynamicDependenciesExceptions: ['@nasx/*'],
      depConstraints: [
        ...Object.entries(layers).map(([sourceTag, onlyDependOnLibsWithTags]) => ({ sourceTag, onlyDependOnLibsWithTags })),
        ...(tensorflow ? [] : [{ sourceTag: '*', bannedExternalImports: ['@tensorflow/*'] }]),
      ],
    },
  ];
}

export default [
  {
    // JavaScript under __fixtures__ stands in for third-party plugin packages (some deliberately
    // misbehave: busy loops, throwing code); it follows no style of ours.
    ignores: ['**/dist/**', '**/node_modules/**', 'runs/**', 'tmp/**', 'coverage/**', '.nx/**', '**/__fixtures__/**/*.js'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    files: ['**/*.ts', '**/*.js', '**/*.cjs', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(SHIPPED, { tensorflow: false }),
      // Unused code is an error (tsc's noUnusedLocals agrees); a leading underscore marks a
      // parameter that an interface requires but the implementation does not need.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // `x[i]!` after noUncheckedIndexedAccess is the codebase's idiom in numeric loops whose
      // bounds are the array's own length; a warning on each would bury the real ones.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // No-op callbacks (a silent logger, an ignored emit) are deliberate and common here.
      '@typescript-eslint/no-empty-function': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
      // An async generator cannot be an arrow function, so it reaches its object through `self`.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['self'] }],
    },
  },
  {
    // TypeScript imports; a `require` needs a reason (a CommonJS file loaded unbuilt, a path known
    // only at run time).
    files: ['**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'error' },
  },
  {
    files: TEST_FILES,
    rules: { '@nx/enforce-module-boundaries': boundaries(IN_TESTS, { tensorflow: false }) },
  },
  {
    files: ['libs/tensor/**'],
    rules: { '@nx/enforce-module-boundaries': boundaries(SHIPPED, { tensorflow: true }) },
  },
  {
    files: TEST_FILES.map((glob) => `libs/tensor/${glob}`),
    rules: { '@nx/enforce-module-boundaries': boundaries(IN_TESTS, { tensorflow: true }) },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    // Plain JavaScript has no type check behind it, so an undefined name (a missing import, a
    // typo) must fail here; the TypeScript preset turns no-undef off because tsc catches it there.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ignores: ['libs/ui/assets/**'],
    languageOptions: { globals: globals.node },
    rules: { 'no-undef': 'error' },
  },
  {
    // The run dashboard's script is served to a browser, which has no `require` or `process`.
    files: ['libs/ui/assets/**/*.js'],
    languageOptions: { globals: globals.browser },
    rules: { 'no-undef': 'error' },
  },
];
