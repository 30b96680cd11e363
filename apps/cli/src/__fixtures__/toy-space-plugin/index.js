// The toy digit space of @nasx/testing as a plugin, 4 positions × 5 values = 625 cells by default:
// an enumerable space small enough for `nasx score --all` in a test that takes seconds.
const { createToySpace } = require('@nasx/testing');
const schema = require('./schema.json');

module.exports = {
  default: {
    contributions: [
      {
        kind: 'search-space',
        id: 'toy',
        description: 'toy digits',
        optionsSchema: schema,
        create: (o) => createToySpace(o.positions, o.values),
      },
    ],
  },
};
