// A plugin written as an ES module with top-level await: `require` refuses it, so the kernel must
// fall back to import().
const schema = await Promise.resolve({ type: 'object', additionalProperties: false, properties: {} });

export default {
  contributions: [
    {
      kind: 'searcher',
      id: 'esm-random',
      title: 'Random search from an ES module',
      optionsSchema: schema,
      create(_options, { space, rng }) {
        return { id: 'esm-random', ask: (n) => Array.from({ length: n }, () => space.sample(rng)), tell() {} };
      },
    },
  ],
};
