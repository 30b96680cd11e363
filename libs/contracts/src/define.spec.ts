import { defineEstimator, definePlugin, defineService, serviceToken } from './define';

interface Tokenizer {
  tokens(text: string): string[];
}
const Tokenizer = serviceToken<Tokenizer>('acme.tokenizer');

describe('services in the define*() helpers', () => {
  const tokenizer = defineService({ id: 'tokenizer', token: Tokenizer, description: 'Characters.', create: (): Tokenizer => ({ tokens: (t) => t.split('') }) });
  const estimator = defineEstimator({
    id: 'length',
    description: 'Token count.',
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    inject: { tokenizer: Tokenizer },
    create(_o, deps) {
      // Typed from the token: no cast (a type error here fails the typecheck).
      const t: Tokenizer = deps.tokenizer;
      return {
        id: 'length',
        metrics: [{ name: 'tokens', direction: 'maximize' }],
        estimate: async (arch) => ({ metrics: { tokens: t.tokens(arch.key).length }, cost: { seconds: 0 } }),
      };
    },
  });

  it('keeps the kind, the token and the inject map that the manifest must repeat', () => {
    const plugin = definePlugin({ contributions: [tokenizer, estimator] });
    expect(plugin.contributions.map((c) => ({ kind: c.kind, id: c.id, token: c.kind === 'service' ? c.token : undefined, inject: c.inject }))).toEqual([
      { kind: 'service', id: 'tokenizer', token: 'acme.tokenizer', inject: undefined },
      { kind: 'estimator', id: 'length', token: undefined, inject: { tokenizer: 'acme.tokenizer' } },
    ]);
  });
});
