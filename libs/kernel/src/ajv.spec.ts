import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The compiled-schema cache: what one process compiles, the next loads; nothing about a validator
// changes when it comes from the cache.

type AjvModule = typeof import('./ajv');

/** A fresh copy of the module (as a new process has), with the cache folder set. */
function freshAjv(cacheDir: string): AjvModule {
  process.env['NASX_CACHE_DIR'] = cacheDir;
  let mod: AjvModule | undefined;
  jest.isolateModules(() => {
    mod = jest.requireActual<AjvModule>('./ajv');
  });
  return mod!;
}

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    population: { type: 'integer', minimum: 2, default: 20 },
    crossover: { type: 'string', enum: ['auto', 'none'], default: 'auto' },
    levels: { type: 'array', items: { type: 'number' }, uniqueItems: true },
  },
};

describe('compileSchema cache', () => {
  let dir: string;
  const saved = process.env['NASX_CACHE_DIR'];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-ajv-cache-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env['NASX_CACHE_DIR'];
    else process.env['NASX_CACHE_DIR'] = saved;
  });

  const files = () => (fs.existsSync(path.join(dir, 'ajv')) ? fs.readdirSync(path.join(dir, 'ajv')) : []);

  function behaves(validate: ReturnType<AjvModule['compileSchema']>): void {
    const ok: Record<string, unknown> = { levels: [1, 2] };
    expect(validate(ok)).toBe(true);
    expect(ok).toEqual({ population: 20, crossover: 'auto', levels: [1, 2] }); // defaults filled in
    expect(validate({ population: 1, crossover: 'x', levels: [1, 1], extra: 0 })).toBe(false);
    // All errors, as ajv reports them (the CLI prints them from these objects).
    expect(validate.errors!.map((e) => `${e.instancePath} ${e.keyword}`).sort()).toEqual([
      ' additionalProperties',
      '/crossover enum',
      '/levels uniqueItems',
      '/population minimum',
    ]);
  }

  it('writes the compiled validator once; a new process loads it and validates the same way', () => {
    const first = freshAjv(dir).compileSchema(structuredClone(SCHEMA));
    behaves(first);
    expect(files()).toHaveLength(1);
    const file = path.join(dir, 'ajv', files()[0]!);
    const written = fs.readFileSync(file, 'utf8');
    // A second process: served from the file, which stays as it was.
    const second = freshAjv(dir).compileSchema(structuredClone(SCHEMA));
    behaves(second);
    expect(fs.readFileSync(file, 'utf8')).toBe(written);
    expect(files()).toHaveLength(1);
    // It really came from the file: a file rewritten to reject everything is what the next process gets.
    fs.writeFileSync(file, 'module.exports = function v() { v.errors = [{ instancePath: "", keyword: "cached" }]; return false; };');
    const third = freshAjv(dir).compileSchema(structuredClone(SCHEMA));
    expect(third({})).toBe(false);
    expect(third.errors![0]!.keyword).toBe('cached');
    // Another schema is another file.
    freshAjv(dir).compileSchema({ ...structuredClone(SCHEMA), required: ['population'] });
    expect(files()).toHaveLength(2);
  });

  it('a damaged file is compiled again and replaced', () => {
    freshAjv(dir).compileSchema(structuredClone(SCHEMA));
    const file = path.join(dir, 'ajv', files()[0]!);
    fs.writeFileSync(file, 'this is not JavaScript {');
    behaves(freshAjv(dir).compileSchema(structuredClone(SCHEMA)));
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^"use strict";/);
  });

  it('an invalid schema throws as before and is not cached; NASX_CACHE_DIR=off writes nothing; an unwritable folder still compiles', () => {
    expect(() => freshAjv(dir).compileSchema({ type: 'object', properties: { a: { type: 'strnig' } } })).toThrow(/type/);
    expect(() => freshAjv(dir).compileSchema({ type: 'object', colour: 'red' })).toThrow(/unknown keyword/);
    expect(files()).toHaveLength(0);
    behaves(freshAjv('off').compileSchema(structuredClone(SCHEMA)));
    expect(freshAjv('off').cacheDir()).toBeUndefined();
    const blocker = path.join(dir, 'a-file');
    fs.writeFileSync(blocker, '');
    behaves(freshAjv(path.join(blocker, 'cache')).compileSchema(structuredClone(SCHEMA)));
  });

  it('the folder defaults to $XDG_CACHE_HOME/nasx, then ~/.cache/nasx', () => {
    const mod = freshAjv(dir);
    delete process.env['NASX_CACHE_DIR'];
    const xdg = process.env['XDG_CACHE_HOME'];
    try {
      process.env['XDG_CACHE_HOME'] = path.join(dir, 'xdg');
      expect(mod.cacheDir()).toBe(path.join(dir, 'xdg', 'nasx'));
      process.env['XDG_CACHE_HOME'] = 'relative/ignored';
      expect(mod.cacheDir()).toBe(path.join(os.homedir(), '.cache', 'nasx'));
    } finally {
      if (xdg === undefined) delete process.env['XDG_CACHE_HOME'];
      else process.env['XDG_CACHE_HOME'] = xdg;
    }
  });
});
