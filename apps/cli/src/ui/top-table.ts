import type { TopTrial } from '@nasx/kernel';
import { num, table } from './format';

/** "top K" and a table of the best trials (rank, trial, every metric, architecture), indented. */
export function topTable(top: readonly TopTrial[]): string {
  const metricNames = Object.keys(top[0]?.estimate.metrics ?? {});
  const rows = top.map((t, i) => [String(i + 1), String(t.trial), ...metricNames.map((m) => num(t.estimate.metrics[m])), t.text ?? t.arch.key]);
  return `top ${top.length}\n${table(['rank', 'trial', ...metricNames, 'architecture'], rows).replace(/^/gm, '  ')}`;
}

/** A metric/value table of one estimate, indented. */
export function metricsTable(metrics: { readonly [name: string]: number }): string {
  return table(
    ['metric', 'value'],
    Object.entries(metrics).map(([k, v]) => [k, num(v)]),
  ).replace(/^/gm, '  ');
}
