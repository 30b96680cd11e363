import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type standaloneCodeFn from 'ajv/dist/standalone';

const AJV_OPTIONS = { allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true } as const;

/**
 * The one ajv factory of nasx: all errors, defaults filled in, strict about unknown keywords so a
 * typo in a plugin's schema fails at load time.
 */
export function createAjv(): Ajv {
  return new (ajvModules().Ajv)({ ...AJV_OPTIONS });
}

/**
 * ajv, loaded on first need: a process whose schemas are all in the cache (see
 * {@link compileSchema}) never loads ajv's compiler (65 modules).
 */
function ajvModules(): { Ajv: typeof Ajv; standaloneCode: typeof standaloneCodeFn } {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded lazily, on purpose (see above) */
  return {
    Ajv: (require('ajv') as { default: typeof Ajv }).default,
    standaloneCode: (require('ajv/dist/standalone') as { default: typeof standaloneCodeFn }).default,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** Environment variable naming nasx's cache folder; `off` disables the cache. */
export const CACHE_DIR_ENV_VAR = 'NASX_CACHE_DIR';

/**
 * The folder of nasx's per-user cache: `$NASX_CACHE_DIR`, else the system's user cache folder +
 * `/nasx` (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS, `%LOCALAPPDATA%`
 * on Windows); undefined when `NASX_CACHE_DIR=off`. The kernel hands it to plugins as
 * `CommonDeps.cacheDir` (compiled validators, the NB101 index, releases unpacked for streaming).
 */
export function cacheDir(): string | undefined {
  const env = process.env[CACHE_DIR_ENV_VAR];
  if (env === 'off') return undefined;
  if (env) return path.resolve(env);
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env['LOCALAPPDATA'] ?? path.join(home, 'AppData', 'Local'), 'nasx', 'Cache');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'nasx');
  const xdg = process.env['XDG_CACHE_HOME'];
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.cache'), 'nasx');
}

// Bumped when the cached files' layout or what they are compiled with changes.
const CACHE_FORMAT = 1;
const AJV_VERSION: string = (JSON.parse(fs.readFileSync(require.resolve('ajv/package.json'), 'utf8')) as { version: string }).version;

let shared: Ajv | undefined;
const cache = new WeakMap<object, ValidateFunction>();

/**
 * Compile (once per schema object) with the shared instance.
 *
 * Compiling is the slow part of starting nasx: every command checks the options schema of every
 * installed plugin, ≈ 0.3–0.5 s of ajv code generation per process for the built-in plugins alone.
 * So the generated code (ajv's standalone validators) is kept in the cache folder ({@link cacheDir},
 * `ajv/<sha256>.cjs`), keyed by the schema, the ajv version and its options; a later process loads
 * it in about a millisecond. A schema that does not compile is never cached (it throws as before);
 * an unreadable or unwritable cache, or a damaged file, falls back to compiling.
 */
export function compileSchema(schema: object): ValidateFunction {
  let fn = cache.get(schema);
  if (!fn) {
    fn = compileCached(schema);
    cache.set(schema, fn);
  }
  return fn;
}

function compileCached(schema: object): ValidateFunction {
  const dir = cacheDir();
  const file =
    dir &&
    path.join(
      dir,
      'ajv',
      `${createHash('sha256')
        .update(JSON.stringify([CACHE_FORMAT, AJV_VERSION, AJV_OPTIONS, schema]))
        .digest('hex')}.cjs`,
    );
  if (file) {
    const loaded = loadValidator(file);
    if (loaded) return loaded;
  }
  const { Ajv: AjvClass, standaloneCode } = ajvModules();
  shared ??= new AjvClass({ ...AJV_OPTIONS, code: { source: true } });
  const fn = shared.compile(schema);
  if (file) {
    try {
      const code = standaloneCode(shared, fn);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // Written aside and renamed, so a concurrent process never reads half a file.
      const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, file);
    } catch {
      // A read-only home or a full disk only costs the next process the compile.
    }
  }
  return fn;
}

function loadValidator(file: string): ValidateFunction | undefined {
  let code: string;
  try {
    code = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const mod: { exports: unknown } = { exports: {} };
    // The generated module requires ajv's runtime helpers (deep equality, string length).
    new Function('module', 'exports', 'require', code)(mod, mod.exports, require);
    return typeof mod.exports === 'function' ? (mod.exports as ValidateFunction) : undefined;
  } catch {
    return undefined;
  }
}

/** Human text for one ajv error, without the pointer (callers print that with the line). */
export function describeAjvError(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown option "${String(p['additionalProperty'])}"`;
    case 'required':
      return `missing required property "${String(p['missingProperty'])}"`;
    case 'type':
      return `must be ${String(p['type'])}`;
    case 'enum':
      return `must be one of ${(p['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p['allowedValue'])}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(p['comparison'])} ${String(p['limit'])}`;
    default:
      return e.message ?? e.keyword;
  }
}
