import { NasxError } from '@nasx/contracts';
import type { StoredRun, TrajectoryPoint } from '@nasx/store';

/** One run's best-so-far curve, in its metric's own direction. */
export interface CompareSeries {
  readonly run: StoredRun;
  readonly points: readonly TrajectoryPoint[];
}

/**
 * A Vega-Lite spec of runs' best-so-far curves side by side, as `nasx report --svg` draws one run's
 * (see trajectory-plot.ts, whose renderer draws it): two panels, against evaluations and against
 * search seconds, one step line per run. Minimised metrics are drawn as measured (not negated).
 * Multi-objective runs have no single best-so-far: an error when every run is one.
 */
export function compareSpec(series: readonly CompareSeries[], size: { readonly width: number; readonly height: number }): Record<string, unknown> {
  const single = series.filter((s) => !s.run.multi && s.points.length > 0);
  if (single.length === 0) {
    throw new NasxError('usage', 'none of these runs has a single best-so-far to plot (multi-objective runs, or no finished trial yet)', {
      fix: 'compare single-objective runs with at least one evaluation, or see a Pareto run with nasx report --svg',
    });
  }
  const objectives = [...new Set(single.map((s) => s.run.objective ?? 'objective'))];
  const metric = objectives.length === 1 ? (/^(?:maximize|minimize) (\S+)$/.exec(objectives[0]!)?.[1] ?? objectives[0]!) : 'best so far (each run’s objective)';
  const values = single.flatMap((s) =>
    s.points
      .filter((p) => Number.isFinite(p.best))
      .map((p) => ({ run: s.run.id, evaluations: p.evaluations, seconds: p.elapsedMs / 1000, best: s.run.minimize ? -p.best : p.best })),
  );
  const panelWidth = Math.max(120, size.width - 120);
  const panelHeight = Math.max(60, Math.floor((size.height - 190) / 2));
  const panel = (x: 'evaluations' | 'seconds', title: string): Record<string, unknown> => ({
    width: panelWidth,
    height: panelHeight,
    title: { text: `${metric} against ${title}`, fontSize: 12, anchor: 'start' },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
    encoding: {
      x: { field: x, type: 'quantitative', title, scale: { zero: true } },
      y: { field: 'best', type: 'quantitative', title: metric, scale: { zero: false } },
      color: { field: 'run', type: 'nominal', title: 'run', legend: { orient: 'bottom', columns: 1, labelLimit: 0 } },
      tooltip: [{ field: 'run' }, { field: 'evaluations' }, { field: 'best', title: metric }],
    },
  });
  const skipped = series.length - single.length;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    padding: 12,
    title: {
      text: `best so far of ${single.length} runs`,
      subtitle: `objective ${objectives.join('; ')}${skipped ? `; ${skipped} run(s) without a single best-so-far left out` : ''}`,
      anchor: 'start',
    },
    data: { values },
    vconcat: [panel('evaluations', 'evaluations'), panel('seconds', 'search seconds')],
    config: { view: { stroke: '#ddd' }, font: 'sans-serif' },
  };
}
