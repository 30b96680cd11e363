module.exports = { default: { contributions: [{ kind: 'searcher', id: 'something-else', description: '', optionsSchema: {}, create() { return {}; } }] } };
