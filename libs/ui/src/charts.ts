import type { ArchGraph } from '@nasx/contracts';
import type { StoredRun, TrajectoryPoint } from '@nasx/store';

/** A Vega-Lite specification (JSON), rendered in the browser by vega-embed. */
export type VegaLiteSpec = Record<string, unknown>;

const WIDTH = 520;
const HEIGHT = 260;

/** The objective's name(s) from `maximize val_acc@12` / `maximize [a, b]`. */
export function objectiveNames(run: StoredRun): string[] {
  const text = (run.objective ?? 'objective').replace(/^(maximize|minimize)\s+/, '');
  const list = /^\[(.*)\]$/.exec(text);
  return list ? list[1]!.split(',').map((s) => s.trim()) : [text];
}

/**
 * Every evaluated trial as a point and the best so far as a step line, against evaluations; the
 * points come in a named dataset (`points`) that a live page extends without redrawing.
 */
export function trajectorySpec(run: StoredRun): VegaLiteSpec {
  const name = objectiveNames(run)[0]!;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: HEIGHT,
    data: { name: 'points' },
    encoding: { x: { field: 'evaluations', type: 'quantitative', title: 'evaluations' } },
    layer: [
      {
        mark: { type: 'point', filled: true, size: 14, opacity: 0.45, color: '#8a8a8a' },
        encoding: {
          y: { field: 'value', type: 'quantitative', title: name, scale: { zero: false } },
          tooltip: [
            { field: 'trial', type: 'quantitative' },
            { field: 'value', type: 'quantitative', title: name },
          ],
        },
      },
      { mark: { type: 'line', interpolate: 'step-after', color: '#1f6feb', strokeWidth: 2 }, encoding: { y: { field: 'best', type: 'quantitative' } } },
    ],
  };
}

/** A multi-objective run's trials in its first two objectives, the non-dominated ones marked. */
export function frontSpec(run: StoredRun): VegaLiteSpec {
  const [a = 'objective 1', b = 'objective 2'] = objectiveNames(run);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: HEIGHT,
    data: { name: 'points' },
    mark: { type: 'point', filled: true },
    encoding: {
      x: { field: 'a', type: 'quantitative', title: a, scale: { zero: false } },
      y: { field: 'b', type: 'quantitative', title: b, scale: { zero: false } },
      color: { field: 'front', type: 'nominal', title: 'Pareto front', scale: { domain: [true, false], range: ['#d1242f', '#b0b0b0'] } },
      size: { condition: { test: 'datum.front', value: 60 }, value: 16 },
      tooltip: [
        { field: 'trial', type: 'quantitative' },
        { field: 'arch', type: 'nominal' },
        { field: 'a', title: a },
        { field: 'b', title: b },
      ],
    },
  };
}

/** Runs' best-so-far curves overlaid. */
export function compareSpec(curves: readonly { id: string; points: readonly TrajectoryPoint[] }[]): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH + 160,
    height: HEIGHT + 40,
    data: { values: curves.flatMap((c) => c.points.map((p) => ({ run: c.id, evaluations: p.evaluations, best: p.best }))) },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
    encoding: {
      x: { field: 'evaluations', type: 'quantitative' },
      y: { field: 'best', type: 'quantitative', title: 'best so far', scale: { zero: false } },
      color: { field: 'run', type: 'nominal', legend: { orient: 'bottom', columns: 1, labelLimit: 400 } },
    },
  };
}

/**
 * An architecture's op graph, drawn left to right: each node in the column of its longest path from
 * an input, edges as lines, ops as labelled points. Zero (`none`) nodes are left out with their edges.
 */
export function cellSpec(graph: ArchGraph): VegaLiteSpec {
  const nodes = graph.nodes.filter((n) => n.op !== 'zero' && n.op !== 'none');
  const ids = new Set(nodes.map((n) => n.id));
  const edges = graph.edges.filter((e) => ids.has(e.from) && ids.has(e.to));
  const depth = new Map<string, number>();
  for (const n of nodes) {
    const preds = edges.filter((e) => e.to === n.id).map((e) => depth.get(e.from) ?? 0);
    depth.set(n.id, preds.length ? Math.max(...preds) + 1 : 0);
  }
  const rows = new Map<number, number>();
  const at = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const d = depth.get(n.id)!;
    const r = rows.get(d) ?? 0;
    rows.set(d, r + 1);
    at.set(n.id, { x: d, y: r });
  }
  // Centre each column vertically.
  for (const n of nodes) {
    const p = at.get(n.id)!;
    p.y -= ((rows.get(p.x) ?? 1) - 1) / 2;
  }
  const label = (op: string, attrs: ArchGraph['nodes'][number]['attrs']): string => {
    const k = attrs?.['kernel'];
    return typeof k === 'number' ? `${op} ${k}×${k}` : op;
  };
  const nodeRows = nodes.map((n) => ({ id: n.id, op: label(n.op, n.attrs), x: at.get(n.id)!.x, y: at.get(n.id)!.y }));
  const edgeRows = edges.map((e) => ({ x: at.get(e.from)!.x, y: at.get(e.from)!.y, x2: at.get(e.to)!.x, y2: at.get(e.to)!.y }));
  const columns = Math.max(1, ...nodeRows.map((n) => n.x + 1));
  const axis = { axis: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: Math.max(260, columns * 110),
    height: Math.max(160, Math.max(...[...rows.values()]) * 60),
    layer: [
      {
        data: { values: edgeRows },
        mark: { type: 'rule', color: '#9aa4b2', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'x', type: 'quantitative', ...axis },
          y: { field: 'y', type: 'quantitative', ...axis },
          x2: { field: 'x2' },
          y2: { field: 'y2' },
        },
      },
      {
        data: { values: nodeRows },
        layer: [
          { mark: { type: 'point', filled: true, size: 280, color: '#ffffff', stroke: '#1f6feb', strokeWidth: 1.5 } },
          { mark: { type: 'text', dy: -16, fontSize: 11 }, encoding: { text: { field: 'op' } } },
        ],
        encoding: {
          x: { field: 'x', type: 'quantitative', ...axis, scale: { domain: [-0.5, columns - 0.5] } },
          y: { field: 'y', type: 'quantitative', ...axis },
          tooltip: [{ field: 'id' }, { field: 'op' }],
        },
      },
    ],
    config: { view: { stroke: null } },
  };
}
