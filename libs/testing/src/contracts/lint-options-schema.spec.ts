import { lintOptionsSchema } from './plugin-package.contract-suite';

describe('lintOptionsSchema', () => {
  it('passes a closed schema whose every property is described, at any depth', () => {
    const schema = {
      type: 'object',
      additionalProperties: false,
      properties: {
        lr: { description: 'Learning rate.', type: 'number' },
        macro: {
          description: 'Network shape.',
          type: 'object',
          additionalProperties: false,
          properties: { channels: { description: 'Width.', type: 'integer' } },
        },
        map: { description: 'Free keys of one shape.', type: 'object', additionalProperties: { type: 'number' } },
      },
    };
    expect(lintOptionsSchema(schema)).toEqual([]);
  });

  it('names each open object and each undescribed property by its path, inside items and anyOf too', () => {
    const schema = {
      type: 'object',
      properties: {
        lr: { type: 'number' },
        list: { description: 'A list.', type: 'array', items: { type: 'object', additionalProperties: false, properties: { x: { type: 'number' } } } },
        pick: { description: 'One of two.', anyOf: [{ type: 'object', properties: { y: { description: 'Y.', type: 'number' } } }, { type: 'string' }] },
      },
    };
    expect(lintOptionsSchema(schema).sort()).toEqual(
      ['/: set additionalProperties: false', '/lr: add a description', '/list[]/x: add a description', '/pick/anyOf/0: set additionalProperties: false'].sort(),
    );
  });

  it('ignores what is not a schema object', () => {
    expect(lintOptionsSchema(null)).toEqual([]);
    expect(lintOptionsSchema(true)).toEqual([]);
  });
});
