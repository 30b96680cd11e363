import type { TopTrial } from '@nasx/kernel';
import { num, table } from './format';

/** "top K" and a table of the best trials (rank, trial, every metric, architecture), indented. */
export function topTable(top: readonly TopTrial[]): string {
  const metricNames = Object.keys(top[0]?.estimate.metrics ?? {});
  const rows = top.map((t, i) => [String(i + 1), String(t.trial), ...metricNames.map((m) => num(t.estimate.metrics[m])), t.text ?? t.arch.key]);
  return `top ${top.length}\n${table(['rank', 'trial', ...metricNames, 'architecture'], rows).replace(/^/gm, '  ')}`;
}
