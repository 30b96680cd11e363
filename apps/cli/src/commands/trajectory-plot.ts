import { NasxError, type SearchEvent } from '@nasx/contracts';

/** One evaluated trial of the plot. */
export interface TrajectoryPoint {
  readonly trial: number;
  /** Counted evaluations including this one (the x of the first panel). */
  readonly evaluations: number;
  /** Wall-clock seconds of search since the run began, across sessions (the x of the second panel). */
  readonly seconds: number;
  /** The objective in the metric's own direction (a minimised metric is not negated). */
  readonly value: number;
  /** Best value so far, this trial included. */
  readonly best: number;
  /** 1-based session: a resumed run's later sessions are 2, 3, … */
  readonly session: number;
}

/** Where a session of a resumed run begins. */
export interface SessionStart {
  readonly session: number;
  readonly evaluations: number;
  readonly seconds: number;
}

/** What the trajectory plot shows, from a run's journal. */
export interface TrajectoryData {
  readonly runId: string;
  readonly searcher: string;
  /** The objective's label (`maximize val_acc`). */
  readonly objective: string;
  /** The axis title: the metric for a single-metric objective, else the label. */
  readonly axis: string;
  readonly minimize: boolean;
  readonly points: readonly TrajectoryPoint[];
  /** Starts of the sessions after the first. */
  readonly sessions: readonly SessionStart[];
}

/**
 * The trajectory of a run from its journal's events: each counted evaluation (answers from the
 * cache count nothing and are left out) with its evaluation count, its wall-clock time (the time of
 * its event since its session began, plus the earlier sessions' lengths) and the best so far. Errors
 * for a run with no finished trial and for multi-objective runs (no single best-so-far).
 */
export function trajectoryData(runId: string, events: readonly SearchEvent[]): TrajectoryData {
  const started = events.find((e) => e.type === 'run-started');
  const objective = started?.type === 'run-started' ? started.objective : 'objective';
  const searcher = started?.type === 'run-started' ? (started.contributions['searcher'] ?? '?') : '?';
  const minimize = /^minimize /.test(objective);
  const single = /^(maximize|minimize) (\S+)$/.exec(objective);
  const axis = single ? (single[2] as string) : objective;
  const sign = minimize ? -1 : 1;

  const points: TrajectoryPoint[] = [];
  const sessions: SessionStart[] = [];
  let session = 0;
  let sessionStart = 0;
  let priorSeconds = 0;
  let lastTime = 0;
  let best: number | undefined;
  for (const e of events) {
    if (e.type === 'run-started') {
      if (session > 0) {
        priorSeconds += (lastTime - sessionStart) / 1000;
        sessions.push({ session: session + 1, evaluations: points.at(-1)?.evaluations ?? 0, seconds: priorSeconds });
      }
      session++;
      sessionStart = e.time;
      lastTime = e.time;
      continue;
    }
    lastTime = Math.max(lastTime, e.time);
    if (e.type !== 'evaluated' || e.cached) continue;
    if (typeof e.objective !== 'number') {
      throw new NasxError('usage', `run ${runId} has a multi-objective objective (${objective}): there is no single best-so-far trajectory to plot`, {
        fix: 'use nasx report --json for its trials',
      });
    }
    const value = sign * e.objective;
    best = best === undefined ? value : minimize ? Math.min(best, value) : Math.max(best, value);
    points.push({
      trial: e.trial,
      evaluations: e.evaluations,
      seconds: priorSeconds + (e.time - sessionStart) / 1000,
      value,
      best,
      session: Math.max(1, session),
    });
  }
  if (points.length === 0) {
    throw new NasxError('data', `run ${runId} has no finished trial yet, so there is no trajectory to plot`, {
      fix: `let the run evaluate at least one architecture (nasx resume runs/${runId}), then plot again`,
    });
  }
  return { runId, searcher, objective, axis, minimize, points, sessions };
}

/** Finite values only (±Infinity objectives, e.g. synflow's −∞, cannot be drawn). */
const drawable = (p: TrajectoryPoint): boolean => Number.isFinite(p.value) && Number.isFinite(p.best);

/**
 * A Vega-Lite spec of the trajectory: two panels, the objective against evaluations and against
 * wall-clock seconds, each trial a point (coloured by session when the run was resumed), the best
 * so far a step line, and dashed rules where a later session began.
 */
export function trajectorySpec(data: TrajectoryData, size: { readonly width: number; readonly height: number }): Record<string, unknown> {
  const values = data.points.filter(drawable).map((p) => ({ ...p, session: `session ${p.session}` }));
  const resumed = data.sessions.length > 0;
  // The panels' plotting areas; axes, titles and the legend take the rest of the requested size.
  const panelWidth = Math.max(120, size.width - (resumed ? 200 : 110));
  const panelHeight = Math.max(60, Math.floor((size.height - 150) / 2));
  const y = { field: 'value', type: 'quantitative', title: data.axis, scale: { zero: false } };
  const panel = (x: 'evaluations' | 'seconds', title: string): Record<string, unknown> => ({
    width: panelWidth,
    height: panelHeight,
    title: { text: `${data.axis} against ${title}`, fontSize: 12, anchor: 'start' },
    layer: [
      {
        mark: { type: 'point', filled: true, size: 36, opacity: 0.75 },
        encoding: {
          x: { field: x, type: 'quantitative', title },
          y,
          color: resumed ? { field: 'session', type: 'nominal', title: 'session' } : { value: '#4c78a8' },
          tooltip: [{ field: 'trial' }, { field: 'value', title: data.axis }],
        },
      },
      {
        mark: { type: 'line', interpolate: 'step-after', color: '#e45756', strokeWidth: 2 },
        encoding: { x: { field: x, type: 'quantitative' }, y: { field: 'best', type: 'quantitative' } },
      },
      ...(resumed
        ? [
            {
              data: { values: data.sessions.map((s) => ({ ...s, label: `session ${s.session} (resumed)` })) },
              layer: [
                { mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { x: { field: x, type: 'quantitative' } } },
                {
                  mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, y: 2, fontSize: 10, color: '#555' },
                  encoding: { x: { field: x, type: 'quantitative' }, text: { field: 'label' } },
                },
              ],
            },
          ]
        : []),
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    padding: 12,
    title: {
      text: `run ${data.runId}`,
      subtitle: `searcher ${data.searcher}; objective ${data.objective}; ${data.points.length} evaluations${resumed ? `, ${data.sessions.length + 1} sessions` : ''}; red: best so far`,
      anchor: 'start',
    },
    data: { values },
    vconcat: [panel('evaluations', 'evaluations'), panel('seconds', 'wall-clock seconds')],
    config: { view: { stroke: '#ddd' }, font: 'sans-serif' },
  };
}

/** `import()` kept as a real dynamic import: vega and vega-lite are ES modules with top-level await. */
const importEsm = (specifier: string): Promise<unknown> => import(specifier);

/**
 * Render a Vega-Lite spec headless to SVG (vega's `renderer: 'none'` view), then set the root's size
 * to exactly `width`×`height`, the drawing scaled to fit and centred (the content's own size depends
 * on its labels).
 */
export async function renderSvg(spec: Record<string, unknown>, size: { readonly width: number; readonly height: number }): Promise<string> {
  const vl = (await importEsm('vega-lite')) as { compile(spec: unknown): { spec: unknown } };
  const vega = (await importEsm('vega')) as {
    View: new (runtime: unknown, opts: { renderer: string }) => { toSVG(): Promise<string>; finalize(): void };
    parse(spec: unknown): unknown;
  };
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return fitSvg(svg, size);
  } finally {
    view.finalize();
  }
}

/** An SVG's root resized to `width`×`height` with a white background, its content scaled to fit. */
export function fitSvg(svg: string, size: { readonly width: number; readonly height: number }): string {
  const root = /^<svg\b[^>]*>/.exec(svg);
  if (!root) throw new Error('vega produced no SVG root element');
  const attr = (name: string): number => Number(new RegExp(`\\s${name}="([\\d.]+)"`).exec(root[0])?.[1]);
  const w = attr('width');
  const h = attr('height');
  const fixed = root[0]
    .replace(/\swidth="[\d.]+"/, ` width="${size.width}"`)
    .replace(/\sheight="[\d.]+"/, ` height="${size.height}"`)
    .replace(/\sviewBox="[^"]*"/, ` viewBox="0 0 ${w} ${h}" preserveAspectRatio="xMidYMid meet"`);
  // A white page behind the (letterboxed) drawing, for viewers that show transparency.
  const page = `<rect x="${-w}" y="${-h}" width="${3 * w}" height="${3 * h}" fill="white"/>`;
  return fixed + page + svg.slice(root[0].length);
}

/** PNG bytes of an SVG at exactly its own width and height (resvg). */
export async function renderPng(svg: string): Promise<Buffer> {
  const { Resvg } = (await import('@resvg/resvg-js')) as typeof import('@resvg/resvg-js');
  const r = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, background: 'white' });
  return r.render().asPng();
}
