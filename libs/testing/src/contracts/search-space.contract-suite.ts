import { isNasxError, type Architecture, type ContributionDefinition, type SearchSpace } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { testDeps, validatedOptions } from './common';

/** Settings of {@link describeSearchSpaceContract}. */
export interface SearchSpaceContractOptions {
  /** Options for `create` (validated with the contribution's schema first). */
  readonly options?: object;
  /** Extra factory deps (e.g. `dataDir`). */
  readonly deps?: object;
  /** Enumerate fully only when the space has at most this many architectures (default 100,000). */
  readonly maxEnumerate?: number;
}

/**
 * The conformance suite every search space runs: sampling, mutation, text round trips,
 * validation of foreign architectures, encodings, graphs, determinism and (when small enough) the
 * enumeration's size.
 */
export function describeSearchSpaceContract(def: ContributionDefinition<'search-space'>, settings: SearchSpaceContractOptions = {}): void {
  describe(`search space "${def.id}" (contract)`, () => {
    let space: SearchSpace;
    let samples: Architecture[];

    beforeAll(async () => {
      space = await def.create(validatedOptions(def.optionsSchema, settings.options), { ...testDeps(), ...settings.deps });
      const rng = createRng(11);
      samples = Array.from({ length: 200 }, () => space.sample(rng));
    });

    it('has the contribution id and stamps it on architectures', () => {
      expect(space.id).toBe(def.id);
      for (const a of samples) expect(a.space).toBe(def.id);
    });

    it('samples deterministically per seed and with variety', () => {
      const r1 = createRng(5);
      const r2 = createRng(5);
      const k1 = Array.from({ length: 30 }, () => space.sample(r1).key);
      expect(Array.from({ length: 30 }, () => space.sample(r2).key)).toEqual(k1);
      expect(new Set(samples.map((a) => a.key)).size).toBeGreaterThan(1);
    });

    it('makes JSON-serialisable architectures', () => {
      for (const a of samples.slice(0, 50)) expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    });

    it('round-trips the text form: parse(format(a)) has the same key', () => {
      for (const a of samples) expect(space.parse(space.format(a)).key).toBe(a.key);
    });

    it('validates its own architectures and rejects foreign ones with an architecture error', () => {
      for (const a of samples.slice(0, 50)) expect(space.validate(a).key).toBe(a.key);
      const foreign: Architecture = { space: `${def.id}-other`, genotype: null, key: 'x' };
      let thrown: unknown;
      try {
        space.validate(foreign);
      } catch (e) {
        thrown = e;
      }
      expect(isNasxError(thrown) && thrown.kind === 'architecture').toBe(true);
    });

    it('rejects malformed text with an architecture error', () => {
      let thrown: unknown;
      try {
        space.parse('§ not an architecture §');
      } catch (e) {
        thrown = e;
      }
      expect(isNasxError(thrown) && thrown.kind === 'architecture').toBe(true);
    });

    it('mutates to a different genotype of the same space', () => {
      const rng = createRng(3);
      for (const a of samples.slice(0, 100)) {
        const m = space.mutate(a, rng);
        expect(m.space).toBe(def.id);
        expect(JSON.stringify(m.genotype)).not.toBe(JSON.stringify(a.genotype));
      }
    });

    it('encodes to a fixed-length finite vector', () => {
      const len = space.encode(samples[0] as Architecture).length;
      if (space.encodingLength !== undefined) expect(len).toBe(space.encodingLength);
      for (const a of samples.slice(0, 50)) {
        const v = space.encode(a);
        expect(v.length).toBe(len);
        expect(v.every((x) => Number.isFinite(x))).toBe(true);
      }
    });

    it('describes architectures as DAGs in topological order', () => {
      for (const a of samples.slice(0, 50)) {
        const g = space.toGraph(a);
        expect(g.space).toBe(def.id);
        const index = new Map(g.nodes.map((n, i) => [n.id, i]));
        expect(index.size).toBe(g.nodes.length);
        for (const e of g.edges) {
          expect(index.has(e.from) && index.has(e.to)).toBe(true);
          expect(index.get(e.from) as number).toBeLessThan(index.get(e.to) as number);
        }
      }
    });

    it('lists neighbours that differ from the architecture (if supported)', () => {
      if (!space.neighbours) return;
      for (const a of samples.slice(0, 10)) {
        const ns = space.neighbours(a);
        expect(ns.length).toBeGreaterThan(0);
        for (const n of ns) expect(JSON.stringify(n.genotype)).not.toBe(JSON.stringify(a.genotype));
      }
    });

    it('inverts decisions, or has none of decisions/fromDecisions/toDecisions (a partial set is a defect)', () => {
      const members = [space.decisions, space.fromDecisions, space.toDecisions].map((m) => typeof m === 'function');
      expect(members.every(Boolean) || !members.some(Boolean)).toBe(true);
      if (!space.decisions || !space.fromDecisions || !space.toDecisions) return; // none of them: nothing more to check
      const ds = space.decisions();
      for (const a of samples.slice(0, 50)) {
        const c = space.toDecisions(a);
        expect(c.length).toBe(ds.length);
        c.forEach((x, i) => expect(x).toBeLessThan((ds[i] as { choices: readonly string[] }).choices.length));
        expect(space.fromDecisions(c).key).toBe(a.key);
      }
    });

    it('enumerates exactly `size` distinct architectures (if small enough)', () => {
      if (!space.enumerate || space.size === undefined || space.size > (settings.maxEnumerate ?? 100_000)) return;
      let n = 0;
      const genotypes = new Set<string>();
      const keys = new Set<string>();
      for (const a of space.enumerate()) {
        n++;
        genotypes.add(JSON.stringify(a.genotype));
        keys.add(a.key);
      }
      expect(n).toBe(space.size);
      expect(genotypes.size).toBe(space.size);
      if (space.uniqueSize !== undefined) expect(keys.size).toBe(space.uniqueSize);
    });
  });
}
