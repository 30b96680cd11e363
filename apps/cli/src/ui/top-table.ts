import type { TopTrial } from '@nasx/kernel';
import { num, table } from './format';
import { displayWidth, fitText } from './text-width';

/** "top K" and a table of the best trials (rank, trial, every metric, architecture), indented; it fits `width`. */
export function topTable(top: readonly TopTrial[], width?: number): string {
  const metricNames = Object.keys(top[0]?.estimate.metrics ?? {});
  const rows = top.map((t, i) => [String(i + 1), String(t.trial), ...metricNames.map((m) => num(t.estimate.metrics[m])), t.text ?? t.arch.key]);
  return `top ${top.length}\n${table(['rank', 'trial', ...metricNames, 'architecture'], rows, {
    width,
    indent: 2,
    elide: [metricNames.length + 2],
    // The first metric stays; the others give way to the architecture in a narrow terminal.
    droppable: metricNames.slice(1).map((_, i) => i + 3),
    keep: [0, 1],
  })}`;
}

/** A metric/value table of one estimate, indented; it fits `width`. */
export function metricsTable(metrics: { readonly [name: string]: number }, width?: number): string {
  return table(
    ['metric', 'value'],
    Object.entries(metrics).map(([k, v]) => [k, num(v)]),
    { width, indent: 2 },
  );
}

/**
 * `label` followed by an architecture's text, the architecture elided in the middle so that the
 * line fits `width` (`best (trial 3): |nor_conv_3x3~0|+|…|skip_connect~2|`).
 */
export function archLine(label: string, arch: string, width?: number): string {
  const line = `${label}${arch}`;
  if (width === undefined) return line;
  const room = width - displayWidth(label);
  return room >= 12 ? `${label}${fitText(arch, room, 'middle')}` : fitText(line, width);
}
