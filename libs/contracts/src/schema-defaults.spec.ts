import { withSchemaDefaults, type OptionsInput } from './schema-defaults';

const schema = {
  type: 'object',
  properties: {
    batchSize: { type: 'integer', default: 128 },
    ops: { type: 'array', items: { type: 'string' }, default: ['a', 'b'] },
    keysFrom: { type: 'object', properties: { file: { type: 'string' }, column: { type: 'string', default: 'module_hash' } } },
    seed: { type: 'integer' },
  },
} as const;
interface Options {
  batchSize: number;
  ops: string[];
  keysFrom?: { file: string; column: string };
  seed?: number;
}

describe('withSchemaDefaults (what the kernel’s validation fills in, for code without the kernel)', () => {
  it('fills top-level defaults, keeps given values, and copies default arrays', () => {
    const a = withSchemaDefaults<Options>(schema, {});
    expect(a).toEqual({ batchSize: 128, ops: ['a', 'b'] });
    a.ops.push('c');
    expect(withSchemaDefaults<Options>(schema, undefined).ops).toEqual(['a', 'b']);
    expect(withSchemaDefaults<Options>(schema, { batchSize: 8, seed: 3 })).toEqual({ batchSize: 8, ops: ['a', 'b'], seed: 3 });
  });

  it('fills the defaults of a given nested object, like ajv’s useDefaults, and leaves an absent one absent', () => {
    const given: OptionsInput<Options> = { keysFrom: { file: 'keys.csv' } };
    expect(withSchemaDefaults<Options>(schema, given).keysFrom).toEqual({ file: 'keys.csv', column: 'module_hash' });
    expect(withSchemaDefaults<Options>(schema, { keysFrom: { file: 'k', column: 'hash' } }).keysFrom).toEqual({ file: 'k', column: 'hash' });
    expect(withSchemaDefaults<Options>(schema, {})).not.toHaveProperty('keysFrom');
  });
});
