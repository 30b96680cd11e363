import { NasxError, type SearchEvent } from '@nasx/contracts';
import type { ExactFront, ParetoFront, ParetoObjective } from '@nasx/kernel';

/** What the front plot shows: every evaluated trial, the run's front and, when known, the exact front. */
export interface FrontPlotData {
  readonly runId: string;
  readonly searcher: string;
  readonly objectives: readonly ParetoObjective[];
  /** Every counted evaluation: its trial and its objective metrics (real values). */
  readonly trials: readonly { readonly trial: number; readonly values: readonly number[] }[];
  /** The run's front (real values), in the report's order. */
  readonly front: readonly { readonly trial: number; readonly values: readonly number[] }[];
  readonly exact?: readonly (readonly number[])[];
}

/**
 * The plot's data from a run's journal and report. Errors for a single-objective run (no front)
 * and for a run with no evaluated trial yet.
 */
export function frontPlotData(runId: string, events: readonly SearchEvent[], front: ParetoFront | undefined, exact?: ExactFront): FrontPlotData {
  const started = events.find((e) => e.type === 'run-started');
  const searcher = started?.type === 'run-started' ? (started.contributions['searcher'] ?? '?') : '?';
  if (!front) throw singleObjective(runId, started?.type === 'run-started' ? started.objective : undefined);
  const names = front.objectives.map((o) => o.metric);
  const values = (metrics: { readonly [k: string]: number }): number[] => names.map((m) => metrics[m] as number);
  const trials = events.flatMap((e) => (e.type === 'evaluated' && !e.cached ? [{ trial: e.trial, values: values(e.estimate.metrics) }] : []));
  if (trials.length === 0) {
    throw new NasxError('data', `run ${runId} has no finished trial yet, so there is no front to plot`, {
      fix: `let the run evaluate at least one architecture (nasx resume runs/${runId}), then plot again`,
    });
  }
  return {
    runId,
    searcher,
    objectives: front.objectives,
    trials,
    front: front.trials.map((t) => ({ trial: t.trial, values: values(t.estimate.metrics) })),
    ...(exact ? { exact: exact.points.map((p) => values(p.metrics)) } : {}),
  };
}

/** The error for asking a single-objective run for its front. */
export function singleObjective(runId: string, objective: string | undefined): NasxError {
  return new NasxError('usage', `run ${runId} optimises one objective (${objective ?? 'unknown'}), so it has no Pareto front`, {
    fix: "a run keeps a Pareto front when its objective has two or more metrics: objective: { type: multi, metrics: [{ metric: test_acc@200 }, { metric: latency_ms }] } (see examples/nb201-pareto.yaml); drop --front for this run's report",
  });
}

/**
 * The staircase through a 2-D front: the points sorted by x, and between consecutive points the
 * corner at the worse x and the worse y of the two (the boundary of the dominated region), for
 * any pair of directions.
 */
export function staircase(points: readonly (readonly number[])[], objectives: readonly ParetoObjective[]): { x: number; y: number; order: number }[] {
  const [oy, ox] = objectives as [ParetoObjective, ParetoObjective];
  const worse = (a: number, b: number, o: ParetoObjective): number => (o.direction === 'maximize' ? Math.min(a, b) : Math.max(a, b));
  const sorted = points
    .map((p) => ({ x: p[1] as number, y: p[0] as number }))
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
    .sort((a, b) => a.x - b.x || a.y - b.y);
  const out: { x: number; y: number; order: number }[] = [];
  sorted.forEach((p, i) => {
    const prev = sorted[i - 1];
    if (prev) out.push({ x: worse(prev.x, p.x, ox), y: worse(prev.y, p.y, oy), order: out.length });
    out.push({ ...p, order: out.length });
  });
  return out;
}

const title = (o: ParetoObjective): string => `${o.metric} (${o.direction === 'maximize' ? 'higher' : 'lower'} is better)`;

/**
 * A Vega-Lite spec of the front: the first objective (y) against the second (x), every evaluated
 * trial a grey point, the run's front red points joined by its staircase, the exact front (when
 * known) a dashed staircase. With three or more objectives the plot shows the first two and the
 * front's points without a staircase (a projection of an n-D front is no staircase).
 */
export function frontSpec(data: FrontPlotData, size: { readonly width: number; readonly height: number }): Record<string, unknown> {
  const two = data.objectives.length === 2;
  const [oy, ox] = data.objectives as [ParetoObjective, ParetoObjective];
  const finite = (v: readonly number[]): boolean => Number.isFinite(v[0]) && Number.isFinite(v[1]);
  const point = (kind: string) => (t: { trial: number; values: readonly number[] }) => ({ trial: t.trial, x: t.values[1], y: t.values[0], kind });
  const values = [
    ...data.trials.filter((t) => finite(t.values)).map(point('evaluated trial')),
    ...data.front.filter((t) => finite(t.values)).map(point("run's front")),
  ];
  const x = { field: 'x', type: 'quantitative', title: title(ox), scale: { zero: false } };
  const y = { field: 'y', type: 'quantitative', title: title(oy), scale: { zero: false } };
  const colors = { domain: ['evaluated trial', "run's front", 'exact front'], range: ['#9aa5b1', '#e45756', '#4c78a8'] };
  const layers: Record<string, unknown>[] = [
    {
      mark: { type: 'point', filled: true, size: 30, opacity: 0.7 },
      encoding: {
        x,
        y,
        color: { field: 'kind', type: 'nominal', title: null, scale: colors },
        tooltip: [{ field: 'trial' }, { field: 'x', title: ox.metric }, { field: 'y', title: oy.metric }],
      },
    },
  ];
  if (two) {
    layers.push({
      data: {
        values: staircase(
          data.front.map((t) => t.values),
          data.objectives,
        ),
      },
      mark: { type: 'line', color: '#e45756', strokeWidth: 2 },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, order: { field: 'order' } },
    });
    if (data.exact) {
      layers.push({
        data: { values: staircase(data.exact, data.objectives).map((p) => ({ ...p, kind: 'exact front' })) },
        mark: { type: 'line', strokeDash: [5, 3], strokeWidth: 1.5 },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'y', type: 'quantitative' },
          order: { field: 'order' },
          color: { field: 'kind', type: 'nominal', title: null, scale: colors },
        },
      });
    }
  }
  const extra = data.objectives.length > 2 ? `; showing the first 2 of ${data.objectives.length} objectives` : '';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    padding: 12,
    title: {
      text: `run ${data.runId}: Pareto front`,
      subtitle: `searcher ${data.searcher}; ${data.trials.length} evaluations; ${data.front.length} on the run's front${data.exact ? `; exact front ${data.exact.length} points (dashed)` : ''}${extra}`,
      anchor: 'start',
    },
    width: Math.max(120, size.width - 220),
    height: Math.max(80, size.height - 130),
    data: { values },
    layer: layers,
    config: { view: { stroke: '#ddd' }, font: 'sans-serif' },
  };
}
