import { PLUGIN_MANIFEST_SCHEMA } from '@nasx/contracts';
import { createAjv } from '../ajv';

const validate = createAjv().compile(PLUGIN_MANIFEST_SCHEMA);
const manifest = (role: string, contribution: object) => ({ role, engines: { kernel: '*' }, contributes: [contribution] });
const errors = (m: unknown): string[] => (validate(JSON.parse(JSON.stringify(m))) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`));

describe('manifest schema: services and injections', () => {
  it('accepts a service with its token and no options schema', () => {
    expect(errors(manifest('service', { id: 'tokenizer', kind: 'service', token: 'acme.tokenizer', title: 'Tokenizer' }))).toEqual([]);
  });

  it('accepts a contribution that injects services by name', () => {
    expect(errors(manifest('estimator', { id: 'e', kind: 'estimator', title: 'E', optionsSchema: 's.json', inject: { tokenizer: 'acme.tokenizer' } }))).toEqual(
      [],
    );
  });

  it.each([
    ['a service without its token', manifest('service', { id: 'tokenizer', kind: 'service', title: 'T' }), '/contributes/0 required'],
    ['an estimator without an options schema', manifest('estimator', { id: 'e', kind: 'estimator', title: 'E' }), '/contributes/0 required'],
    [
      'a token on a contribution that is not a service',
      manifest('estimator', { id: 'e', kind: 'estimator', title: 'E', optionsSchema: 's.json', token: 'acme.x' }),
      '/contributes/0 not',
    ],
    ['a token without a vendor prefix', manifest('service', { id: 't', kind: 'service', title: 'T', token: 'tokenizer' }), '/contributes/0/token pattern'],
    [
      'an injection under a standard deps name',
      manifest('estimator', { id: 'e', kind: 'estimator', title: 'E', optionsSchema: 's.json', inject: { space: 'acme.x' } }),
      '/contributes/0/inject not',
    ],
  ])('refuses %s', (_, m, error) => {
    expect(errors(m)).toContain(error);
  });
});
