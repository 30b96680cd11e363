import { isNasxError, type Architecture, type ContributionDefinition, type EstimateContext, type Estimator, type SearchSpace } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { createToySpace } from '../fixtures/toy.search-space';
import { neverAborted, silentLogger, testDeps, validatedOptions } from './common';

/** Settings of {@link describeEstimatorContract}. */
export interface EstimatorContractOptions {
  readonly options?: object;
  /** The space it estimates (default: the toy space). */
  readonly space?: () => SearchSpace | Promise<SearchSpace>;
  /** Extra factory deps (e.g. `dataDir`, `task`), or an async function making them (a loaded task). */
  readonly deps?: object | (() => Promise<object>);
  /** Number of sampled architectures to estimate (default 8). */
  readonly samples?: number;
  /** Same architecture ⇒ same metrics (true for tables and proxies with fixed seeds). */
  readonly deterministic?: boolean;
}

/** An estimate context for tests. */
export function testEstimateContext(trial = 0): EstimateContext {
  return { runId: 'test', trial, rng: createRng(trial), signal: neverAborted, logger: silentLogger, emit: () => undefined };
}

/**
 * The conformance suite every estimator runs: declared metrics, finite values for the primary
 * metric, costs, batches (one estimate per architecture, in order; equal to single estimates
 * when deterministic), seed-independence where promised (reproducibility from the trial seed otherwise), and a clear
 * architecture error for architectures of another space.
 */
export function describeEstimatorContract(def: ContributionDefinition<'estimator'>, settings: EstimatorContractOptions = {}): void {
  describe(`estimator "${def.id}" (contract)`, () => {
    let estimator: Estimator;
    let space: SearchSpace;
    let archs: Architecture[];

    beforeAll(async () => {
      space = settings.space ? await settings.space() : createToySpace();
      const extra = typeof settings.deps === 'function' ? await settings.deps() : settings.deps;
      estimator = await def.create(validatedOptions(def.optionsSchema, settings.options), {
        ...testDeps(),
        space,
        latencyModels: [],
        estimators: {},
        ...extra,
      });
      await estimator.prepare?.(testEstimateContext());
      const rng = createRng(21);
      archs = Array.from({ length: settings.samples ?? 8 }, () => space.sample(rng));
    });

    afterAll(async () => {
      await estimator?.dispose?.();
    });

    it('declares its metrics (the first is primary) with directions', () => {
      expect(estimator.id).toBe(def.id);
      expect(estimator.metrics.length).toBeGreaterThan(0);
      const names = estimator.metrics.map((m) => m.name);
      expect(new Set(names).size).toBe(names.length);
      for (const m of estimator.metrics) expect(['maximize', 'minimize']).toContain(m.direction);
    });

    it('estimates the primary metric as a finite number with a cost', async () => {
      const primary = estimator.metrics[0]?.name as string;
      for (const [i, a] of archs.entries()) {
        const e = await estimator.estimate(a, testEstimateContext(i));
        expect(Number.isFinite(e.metrics[primary])).toBe(true);
        expect(e.cost.seconds).toBeGreaterThanOrEqual(0);
      }
    });

    it('estimates a batch (estimateMany, or concurrent estimate calls as callers make without it): one finite estimate per architecture, in order', async () => {
      const primary = estimator.metrics[0]?.name as string;
      const batch = estimator.estimateMany
        ? await estimator.estimateMany(archs, testEstimateContext())
        : await Promise.all(archs.map((a, i) => estimator.estimate(a, testEstimateContext(i))));
      expect(batch).toHaveLength(archs.length);
      for (const e of batch) {
        expect(Number.isFinite(e.metrics[primary])).toBe(true);
        expect(e.cost.seconds).toBeGreaterThanOrEqual(0);
      }
      // In order: a deterministic estimator gives each architecture what estimate() gives it alone,
      // up to float32 rounding: a kernel may block a batch differently from one input (oneDNN picks
      // its code by batch size and the CPU's instruction set), which moves the 8th digit.
      if (settings.deterministic) {
        for (const [i, a] of archs.entries()) {
          const alone = (await estimator.estimate(a, testEstimateContext(i))).metrics;
          const got = batch[i]?.metrics ?? {};
          expect(Object.keys(got).sort()).toEqual(Object.keys(alone).sort());
          for (const [name, value] of Object.entries(alone))
            expect(Math.abs((got[name] as number) - value)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(value)));
        }
      }
    });

    // Seed-independent estimators (tables, predictors) promise the same metrics whatever the trial
    // seed; the others (network initialisation, a data batch) are checked for what resume by replay
    // needs: the same trial seed gives the same metrics.
    if (settings.deterministic) {
      it('is deterministic: the same architecture gets the same metrics whatever the trial seed', async () => {
        for (const a of archs.slice(0, 3)) {
          const x = await estimator.estimate(a, testEstimateContext(1));
          const y = await estimator.estimate(a, testEstimateContext(2));
          expect(y.metrics).toEqual(x.metrics);
        }
      });
    } else {
      it('is reproducible: the same architecture and trial seed give the same metrics', async () => {
        for (const a of archs.slice(0, 2)) {
          const x = await estimator.estimate(a, testEstimateContext(5));
          const y = await estimator.estimate(a, testEstimateContext(5));
          expect(y.metrics).toEqual(x.metrics);
        }
      });
    }

    it('rejects an architecture of another space with an architecture error', async () => {
      const foreign: Architecture = { space: `${space.id}-other`, genotype: null, key: 'x' };
      let thrown: unknown;
      try {
        await estimator.estimate(foreign, testEstimateContext());
      } catch (e) {
        thrown = e;
      }
      expect(isNasxError(thrown) && thrown.kind === 'architecture').toBe(true);
    });
  });
}
