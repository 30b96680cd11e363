// @ts-check
'use strict';
// The nasx plugin kit: plans and writes a plugin project (package.json with its `nasx` manifest,
// tsconfig, README, the entry, a small working contribution of the chosen role, its options schema
// and specs running the contract suites of @nasx/testing).
//
// Two modes share the templates:
// - "standalone" (npm create @nasx/plugin, nasx new plugin): a project anywhere, with its own
//   tsconfig and jest config, @nasx/contracts as a peer and @nasx/testing as a dev dependency;
// - "workspace" (nx g @nasx/workspace:plugin): plugins/<role>-<name> inside the nasx monorepo.
//
// Plain CommonJS with JSDoc types, no dependencies: it runs from `npm create` before anything else
// is installed, and Nx's generator requires it without a build step.

const fs = require('node:fs');
const path = require('node:path');

const KIT = require('./package.json');

/** @typedef {'task' | 'search-space' | 'estimator' | 'searcher' | 'latency-model'} PluginRole */
/** @typedef {'standalone' | 'workspace'} PluginMode */

/**
 * @typedef {object} PluginOptions
 * @property {string} name contribution id, kebab-case
 * @property {string} role extension point
 * @property {string} [scope] npm scope of the package (`@acme`); standalone default: none
 * @property {string} [title] short human title
 * @property {string} [description] one or two sentences
 * @property {PluginMode} [mode] default standalone
 * @property {string} [command] how the user invoked the kit, for error messages
 * @property {string} [contractsVersion] version of @nasx/contracts to depend on (default: the kit's own)
 * @property {string} [kernelVersion] version of the kernel the manifest targets (default: the kit's own)
 */

/**
 * @typedef {object} PluginPlan
 * @property {string} name
 * @property {PluginRole} role
 * @property {string} packageName
 * @property {string} folder the project folder name, `<role>-<name>` (workspace: under plugins/)
 * @property {string} schemaPath
 * @property {Array<[string, string]>} files [path relative to the project, content]
 */

/** The contribution id pattern of the plugin manifest schema (libs/contracts/src/manifest.ts). */
const ID_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** An npm scope. */
const SCOPE_PATTERN = /^@[a-z0-9][a-z0-9._-]*$/;

/**
 * Per role: the class-name suffix of the implementation (file suffix is the role itself) and the
 * default description, which describes the scaffolded implementation.
 * @type {{ readonly [R in PluginRole]: { readonly className: string; readonly description: string } }}
 */
const ROLES = {
  task: {
    className: 'Task',
    description:
      'A synthetic, seeded image classification task: Gaussian class clusters of small images split into train, validation and test, for smoke runs of training estimators and zero-cost proxies.',
  },
  'search-space': {
    className: 'SearchSpace',
    description:
      'A chain of positions, each holding one operation from a list: small enough to enumerate, complete enough to exercise every SearchSpace capability.',
  },
  estimator: {
    className: 'Estimator',
    description: 'A data-free proxy: the number of operation nodes with trainable parameters in the architecture graph (param_ops).',
  },
  searcher: {
    className: 'Searcher',
    description: 'Random-mutation hill climbing: random samples first, then mutations of the best architecture so far, with random restarts.',
  },
  'latency-model': {
    className: 'LatencyModel',
    description: 'Latency as the sum of a per-operation lookup table over the architecture graph, plus a fixed overhead.',
  },
};

/** @type {readonly PluginRole[]} */
const PLUGIN_ROLES = /** @type {PluginRole[]} */ (Object.keys(ROLES));

/** Thrown for bad options: `problem` and `fix` are shown to the user, never a stack trace. */
class PluginKitError extends Error {
  /**
   * @param {string} problem
   * @param {string} fix
   */
  constructor(problem, fix) {
    super(`nasx plugin kit: ${problem}\nFix: ${fix}`);
    this.name = 'PluginKitError';
    this.problem = problem;
    this.fix = fix;
  }
}

/**
 * A kebab-case guess for a rejected name (`MySearcher`, `my_searcher`, `My Searcher` → `my-searcher`).
 * @param {string} name
 * @returns {string | undefined}
 */
function kebabGuess(name) {
  const guess = name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
  return ID_PATTERN.test(guess) ? guess : undefined;
}

/**
 * `my-searcher` → `My searcher`.
 * @param {string} name
 */
function titleOf(name) {
  const words = name.split('-').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Name forms as Nx's `names()` derives them: `my-thing` → MyThing, myThing, MY_THING.
 * @param {string} name
 */
function namesOf(name) {
  const parts = name.split('-');
  const className = parts.map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
  return { className, propertyName: className.charAt(0).toLowerCase() + className.slice(1), constantName: parts.join('_').toUpperCase() };
}

/**
 * Replaces `<%= key %>` and `<%- key %>` with `vars[key]` (the only syntax the templates use).
 * An unknown key or any other template syntax is an error, so nothing half-rendered is written.
 * @param {string} text
 * @param {Record<string, string>} vars
 * @param {string} file for the error message
 */
function render(text, vars, file) {
  const out = text.replace(/<%[=-]\s*([A-Za-z_$][\w$]*)\s*%>/g, (_, key) => {
    if (!Object.prototype.hasOwnProperty.call(vars, key)) throw new Error(`template ${file}: unknown variable "${key}"`);
    return vars[key];
  });
  if (out.includes('<%')) throw new Error(`template ${file}: unsupported template syntax near "${out.slice(out.indexOf('<%'), out.indexOf('<%') + 30)}"`);
  return out;
}

/**
 * Every template file of a folder, recursively, as [relative path, content].
 * @param {string} dir
 * @returns {Array<[string, string]>}
 */
function readTemplates(dir) {
  /** @type {Array<[string, string]>} */
  const out = [];
  const walk = (/** @type {string} */ rel) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(r);
      else out.push([r, fs.readFileSync(path.join(dir, r), 'utf8')]);
    }
  };
  walk('');
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Validates the options, with messages that say what to type instead.
 * @param {PluginOptions} options
 */
function normalize(options) {
  const mode = options.mode ?? 'standalone';
  const command = options.command ?? (mode === 'workspace' ? 'nx g @nasx/workspace:plugin' : 'npm create @nasx/plugin');
  const role = /** @type {PluginRole} */ (options.role);
  if (!PLUGIN_ROLES.includes(role)) {
    throw new PluginKitError(options.role ? `unknown role "${options.role}".` : 'a role is required.', `pass --role with one of: ${PLUGIN_ROLES.join(', ')}.`);
  }
  const name = typeof options.name === 'string' ? options.name.trim() : '';
  if (!name) throw new PluginKitError('a name is required.', `${command} <name> --role ${role}, e.g. ${command} local-search --role ${role}`);
  if (!ID_PATTERN.test(name)) {
    const guess = kebabGuess(name);
    throw new PluginKitError(
      `"${name}" is not a kebab-case name (lower-case letters and digits in words joined by single hyphens, starting with a letter).`,
      guess ? `use "${guess}".` : 'use a name such as "local-search".',
    );
  }
  let scope = mode === 'workspace' ? '@nasx' : options.scope?.trim();
  if (scope && !scope.startsWith('@')) scope = `@${scope}`;
  if (scope && !SCOPE_PATTERN.test(scope)) {
    throw new PluginKitError(`"${options.scope}" is not an npm scope.`, 'pass --scope with a scope such as @acme (lower case, no slash).');
  }
  const folder = `${role}-${name}`;
  if (name.startsWith(`${role}-`)) {
    const rest = name.slice(role.length + 1);
    throw new PluginKitError(
      `"${name}" already starts with the role: the package would be ${scope ? `${scope}/` : 'nasx-'}${role}-${name}.`,
      `pass the contribution id alone: ${command} ${rest} --role ${role}.`,
    );
  }
  const packageName = scope ? `${scope}/${folder}` : `nasx-${folder}`;
  const version = KIT.version;
  return {
    mode,
    name,
    role,
    scope,
    folder,
    packageName,
    title: options.title?.trim() || titleOf(name),
    description: options.description?.trim() || ROLES[role].description,
    schemaPath: `src/${name}/${name}.schema.json`,
    contractsVersion: options.contractsVersion ?? version,
    kernelVersion: options.kernelVersion ?? version,
  };
}

/**
 * The package.json of the plugin.
 * @param {ReturnType<typeof normalize>} o
 */
function packageJsonOf(o) {
  const manifest = {
    role: o.role,
    engines: { kernel: `^${o.kernelVersion}` },
    contributes: [{ id: o.name, kind: o.role, title: o.title, description: o.description, optionsSchema: o.schemaPath }],
  };
  const common = {
    name: o.packageName,
    version: '0.1.0',
    description: o.description,
    license: 'MIT',
    keywords: ['nasx-plugin', 'neural-architecture-search'],
    main: 'dist/index.js',
    types: 'dist/index.d.ts',
    files: ['dist', 'src', '!**/*.spec.*', '!**/__fixtures__', '!**/.tsbuildinfo', 'README.md'],
  };
  // A peer: the plugin shares the kernel's copy of the contracts (one NasxError, one set of tokens).
  const peerDependencies = { '@nasx/contracts': `^${o.contractsVersion}` };
  if (o.mode === 'workspace') {
    return { ...common, scripts: { build: 'tsc -b' }, nasx: manifest, peerDependencies, devDependencies: { '@nasx/contracts': o.contractsVersion } };
  }
  const tools = /** @type {Record<string, string>} */ (KIT.nasxKit.devDependencies);
  return {
    ...common,
    engines: { node: '>=20' },
    scripts: { build: 'tsc -p tsconfig.json', test: 'jest', prepack: 'npm run build' },
    nasx: manifest,
    peerDependencies,
    devDependencies: {
      '@nasx/contracts': `^${o.contractsVersion}`,
      '@nasx/testing': `^${o.contractsVersion}`,
      ...tools,
    },
  };
}

/** Files only a standalone project has: its own compiler and test set-up. */
const STANDALONE_FILES = {
  'tsconfig.json': `${JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023'],
        module: 'node16',
        moduleResolution: 'node16',
        types: ['node'],
        strict: true,
        noUncheckedIndexedAccess: true,
        isolatedModules: true,
        esModuleInterop: true,
        resolveJsonModule: true,
        declaration: true,
        sourceMap: true,
        skipLibCheck: true,
        rootDir: 'src',
        outDir: 'dist',
      },
      include: ['src/**/*.ts', 'src/**/*.json'],
      exclude: ['src/**/*.spec.ts', 'src/**/__fixtures__/**'],
    },
    null,
    2,
  )}\n`,
  'jest.config.js': `// Specs beside the code (*.spec.ts), TypeScript compiled by @swc/jest.
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  transform: {
    '^.+\\\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  testTimeout: 60000,
};
`,
  '.gitignore': 'node_modules/\ndist/\n*.tgz\nruns/\n',
};

/**
 * Plans the project: every file with its content, nothing written.
 * @param {PluginOptions} options
 * @returns {PluginPlan}
 */
function planPlugin(options) {
  const o = normalize(options);
  const n = namesOf(o.name);
  const roleClass = ROLES[o.role].className;
  /** @type {Record<string, string>} */
  const vars = {
    name: o.name,
    role: o.role,
    title: o.title,
    description: o.description,
    packageName: o.packageName,
    schemaPath: o.schemaPath,
    className: n.className,
    propertyName: n.propertyName,
    constantName: n.constantName,
    /** The exported definition, e.g. `localSearchSearcher` (like `randomSearcher`, `nb201SearchSpace`). */
    defName: `${n.propertyName}${roleClass}`,
    /** The implementation class, e.g. `LocalSearchSearcher`. */
    typeName: `${n.className}${roleClass}`,
    optionsType: `${n.className}Options`,
    /** TypeScript/JSON string literals of user text. */
    titleLiteral: JSON.stringify(o.title),
    descriptionLiteral: JSON.stringify(o.description),
    optionsTitleLiteral: JSON.stringify(`${o.title} options`),
    /** Markdown table cells must not break on a pipe. */
    descriptionCell: o.description.replace(/\|/g, '\\|'),
  };
  const templates = path.join(__dirname, 'templates');
  /** @type {Array<[string, string]>} */
  const files = readTemplates(path.join(templates, o.role)).map(([rel, text]) => [
    rel.replace(/__name__/g, o.name).replace(/__tmpl__$/, ''),
    render(text, vars, `${o.role}/${rel}`),
  ]);
  if (o.mode === 'workspace') {
    files.push(['tsconfig.json', render(fs.readFileSync(path.join(templates, 'tsconfig.workspace.json__tmpl__'), 'utf8'), vars, 'tsconfig.workspace.json')]);
  } else {
    for (const [file, text] of Object.entries(STANDALONE_FILES)) files.push([file, text]);
  }
  files.push(['package.json', `${JSON.stringify(packageJsonOf(o), null, 2)}\n`]);
  return { name: o.name, role: o.role, packageName: o.packageName, folder: o.folder, schemaPath: o.schemaPath, files };
}

/**
 * Writes a standalone plugin project into `dir` (default `<cwd>/<role>-<name>`), which must not
 * exist or be empty. Returns the plan and the folder written.
 * @param {PluginOptions & { dir?: string, cwd?: string }} options
 */
function createPlugin(options) {
  const plan = planPlugin({ ...options, mode: 'standalone' });
  const cwd = options.cwd ?? process.cwd();
  const dir = path.resolve(cwd, options.dir ?? plan.folder);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    throw new PluginKitError(`${dir} exists and is not empty; the kit never overwrites files.`, 'choose another name or --dir, or empty that folder first.');
  }
  for (const [rel, content] of plan.files) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return { ...plan, dir };
}

module.exports = { planPlugin, createPlugin, render, PLUGIN_ROLES, ROLES, PluginKitError, ID_PATTERN };
