// @ts-check
'use strict';
// `nx g @nasx/workspace:plugin <name> --role <role>`: scaffolds plugins/<role>-<name>.
//
// Plain CommonJS with JSDoc types on purpose: Nx loads a local generator's `.ts` only through
// native type stripping (Node ≥ 22.6) or @swc-node/register / ts-node, and this workspace runs
// Node 20 with neither installed. A `.js` factory loads with a plain `require`, with no build step.
// Type-check it with: npx tsc --noEmit --allowJs --checkJs --strict --skipLibCheck --module node16 \
//   --moduleResolution node16 --target es2022 --types node tools/workspace/src/generators/plugin/plugin.generator.js

const path = require('node:path');
const { generateFiles, joinPathFragments, logger, names, readJson, writeJson } = require('@nx/devkit');

/** @typedef {import('@nx/devkit').Tree} Tree */
/** @typedef {'task' | 'search-space' | 'estimator' | 'searcher' | 'latency-model'} PluginRole */

/**
 * Options of the generator (`schema.json`).
 * @typedef {object} PluginGeneratorSchema
 * @property {string} name contribution id, kebab-case
 * @property {PluginRole} role extension point
 * @property {string} [title] short human title
 * @property {string} [description] one or two sentences
 */

/**
 * Everything the templates and the manifest need, derived once from the options.
 * @typedef {object} NormalizedOptions
 * @property {string} name
 * @property {PluginRole} role
 * @property {string} title
 * @property {string} description
 * @property {string} packageName `@nasx/<role>-<name>`
 * @property {string} projectRoot `plugins/<role>-<name>`
 * @property {string} schemaPath options schema, relative to the package root
 * @property {string} contractsVersion
 * @property {string} kernelRange
 */

/** Where plugin packages live (a workspace glob of the root package.json). */
const PLUGINS_DIR = 'plugins';

/** The contribution id pattern of the plugin manifest schema (libs/contracts/src/manifest.ts). */
const ID_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Per role: the class-name suffix of the implementation (file suffix is the role itself) and the
 * default description, which describes the scaffolded implementation.
 * @type {{ readonly [R in PluginRole]: { readonly className: string; readonly description: string } }}
 */
const ROLES = {
  task: {
    className: 'Task',
    description:
      'A synthetic, seeded classification task: Gaussian class clusters split into train, validation and test, for smoke runs of training estimators.',
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
const ROLE_NAMES = /** @type {PluginRole[]} */ (Object.keys(ROLES));

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
 * A user-facing error: what is wrong and how to fix it, prefixed so it is clear who complains.
 * @param {string} problem
 * @param {string} fix
 */
function usageError(problem, fix) {
  return new Error(`nasx plugin generator: ${problem}\nFix: ${fix}`);
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
 * The version of a workspace package, or `fallback` (an empty test tree).
 * @param {Tree} tree
 * @param {string} packageJson
 * @param {string} fallback
 */
function versionOf(tree, packageJson, fallback) {
  if (!tree.exists(packageJson)) return fallback;
  try {
    const v = readJson(tree, packageJson).version;
    return typeof v === 'string' && v ? v : fallback;
  } catch {
    return fallback;
  }
}

/**
 * The workspace plugin that already declares `<kind>:<id>` (the kernel refuses duplicates at load time).
 * @param {Tree} tree
 * @param {PluginRole} kind
 * @param {string} id
 * @returns {string | undefined} its package name (or folder)
 */
function findDuplicateContribution(tree, kind, id) {
  if (!tree.exists(PLUGINS_DIR)) return undefined;
  for (const dir of tree.children(PLUGINS_DIR)) {
    const file = joinPathFragments(PLUGINS_DIR, dir, 'package.json');
    if (!tree.exists(file)) continue;
    let pkg;
    try {
      pkg = readJson(tree, file);
    } catch {
      continue; // a broken package.json is the kernel's to report, not ours
    }
    const contributes = Array.isArray(pkg?.nasx?.contributes) ? pkg.nasx.contributes : [];
    if (contributes.some((/** @type {any} */ c) => c?.kind === kind && c?.id === id)) return `${pkg.name ?? dir} (${PLUGINS_DIR}/${dir})`;
  }
  return undefined;
}

/**
 * Validates the options with messages that say what to type instead.
 * @param {Tree} tree
 * @param {PluginGeneratorSchema} options
 * @returns {NormalizedOptions}
 */
function normalizeOptions(tree, options) {
  const role = options.role;
  if (!ROLE_NAMES.includes(role)) {
    throw usageError(`unknown role "${role}".`, `pass --role with one of: ${ROLE_NAMES.join(', ')}.`);
  }
  const name = typeof options.name === 'string' ? options.name.trim() : '';
  if (!name)
    throw usageError('a name is required.', `nx g @nasx/workspace:plugin <name> --role ${role}, e.g. nx g @nasx/workspace:plugin local-search --role ${role}`);
  if (!ID_PATTERN.test(name)) {
    const guess = kebabGuess(name);
    throw usageError(
      `"${name}" is not a kebab-case name (lower-case letters and digits in words joined by single hyphens, starting with a letter).`,
      guess ? `use "${guess}".` : 'use a name such as "local-search".',
    );
  }
  if (name.startsWith(`${role}-`)) {
    const rest = name.slice(role.length + 1);
    throw usageError(
      `"${name}" already starts with the role: the package would be @nasx/${role}-${name}.`,
      `pass the contribution id alone: nx g @nasx/workspace:plugin ${rest} --role ${role} (package @nasx/${role}-${rest}).`,
    );
  }
  const projectRoot = joinPathFragments(PLUGINS_DIR, `${role}-${name}`);
  if (tree.exists(projectRoot)) {
    throw usageError(`${projectRoot} already exists; the generator never overwrites a plugin.`, `choose another name, or delete ${projectRoot} first.`);
  }
  const duplicate = findDuplicateContribution(tree, role, name);
  if (duplicate) {
    throw usageError(`${role} id "${name}" is already contributed by ${duplicate}; the kernel refuses duplicate ids of one kind.`, 'choose another name.');
  }
  const title = options.title?.trim() || titleOf(name);
  const description = options.description?.trim() || ROLES[role].description;
  const kernelVersion = versionOf(tree, 'libs/kernel/package.json', '0.1.0');
  return {
    name,
    role,
    title,
    description,
    packageName: `@nasx/${role}-${name}`,
    projectRoot,
    schemaPath: `src/${name}/${name}.schema.json`,
    contractsVersion: versionOf(tree, 'libs/contracts/package.json', '0.1.0'),
    kernelRange: `^${kernelVersion}`,
  };
}

/**
 * The package.json: same shape as the hand-written plugins (e.g. plugins/searcher-random).
 * @param {NormalizedOptions} o
 */
function packageJsonOf(o) {
  return {
    name: o.packageName,
    version: '0.1.0',
    description: o.description,
    license: 'MIT',
    keywords: ['nasx-plugin', 'neural-architecture-search'],
    main: 'dist/index.js',
    types: 'dist/index.d.ts',
    files: ['dist', 'src', '!**/*.spec.*', 'README.md'],
    scripts: { build: 'tsc -b' },
    nasx: {
      role: o.role,
      engines: { kernel: o.kernelRange },
      contributes: [{ id: o.name, kind: o.role, title: o.title, description: o.description, optionsSchema: o.schemaPath }],
    },
    // A peer: the plugin shares the kernel's copy of the contracts (one NasxError, one set of tokens).
    peerDependencies: { '@nasx/contracts': `^${o.contractsVersion}` },
    devDependencies: { '@nasx/contracts': o.contractsVersion },
  };
}

/**
 * Scaffolds plugins/<role>-<name>: package.json with its `nasx` manifest, tsconfig.json, README.md,
 * src/index.ts (default export `definePlugin`), src/<name>/<name>.<role>.ts (a small working
 * implementation), its options schema and specs (the contract suites of @nasx/testing).
 *
 * @param {Tree} tree
 * @param {PluginGeneratorSchema} options
 * @returns {Promise<() => void>} prints the next steps once the files are written
 */
async function pluginGenerator(tree, options) {
  const o = normalizeOptions(tree, options);
  const n = names(o.name);
  const roleClass = ROLES[o.role].className;
  const substitutions = {
    ...o,
    className: n.className,
    propertyName: n.propertyName,
    constantName: n.constantName,
    /** The exported definition, e.g. `localSearchSearcher` (like `randomSearcher`, `nb201SearchSpace`). */
    defName: `${n.propertyName}${roleClass}`,
    /** The implementation class, e.g. `LocalSearchSearcher`. */
    typeName: `${n.className}${roleClass}`,
    optionsType: `${n.className}Options`,
    /** TypeScript/JSON string literals of user text (EJS `<%= %>` would HTML-escape quotes). */
    titleLiteral: JSON.stringify(o.title),
    descriptionLiteral: JSON.stringify(o.description),
    /** Markdown table cells must not break on a pipe. */
    descriptionCell: o.description.replace(/\|/g, '\\|'),
    tmpl: '',
  };
  generateFiles(tree, path.join(__dirname, 'files', 'common'), o.projectRoot, substitutions);
  generateFiles(tree, path.join(__dirname, 'files', o.role), o.projectRoot, substitutions);
  writeJson(tree, joinPathFragments(o.projectRoot, 'package.json'), packageJsonOf(o));

  return () => {
    logger.info(
      [
        `Created ${o.projectRoot} (${o.packageName}): ${o.role} "${o.name}".`,
        'Next:',
        ...[
          [`npx tsc -b ${o.projectRoot}`, 'build (the kernel loads dist/index.js)'],
          [`npx jest ${o.projectRoot}`, "contract suite and the package's own tests"],
          ['npm install', 'link it into node_modules, for packages that import it by name'],
        ].map(([cmd, why], _, all) => `  ${cmd.padEnd(Math.max(...all.map(([c]) => c.length)) + 2)}# ${why}`),
        `Then replace the scaffold's algorithm with yours, keep ${o.schemaPath} and the manifest in step, and fill in the README's "Results (measured)".`,
      ].join('\n'),
    );
  };
}

module.exports = pluginGenerator;
module.exports.default = pluginGenerator;
module.exports.pluginGenerator = pluginGenerator;
module.exports.normalizeOptions = normalizeOptions;
module.exports.PLUGIN_ROLES = ROLE_NAMES;
