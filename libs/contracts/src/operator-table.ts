import type { ArchGraphNode, NetworkOpAttrs } from './architecture';
import { NasxError } from './errors';

/**
 * The identity of an operator for latency lookup: op type, input shape, output channels, kernel,
 * stride, expansion, squeeze-and-excitation ratio, skip and activation (see {@link NetworkOpAttrs}).
 * Two nodes with the same key cost the same on a device, whatever network they are in.
 *
 * @example
 * operatorKey({ id: 'b1.0', op: 'mbconv', attrs: { input: [16, 112, 112], cout: 24, kernel: 3, stride: 2, expansion: 6, se: 0, skip: 'none' } })
 * // 'mbconv in=16x112x112 out=24 k=3 s=2 e=6 se=0 skip=none act=relu'
 */
export function operatorKey(node: Pick<ArchGraphNode, 'op' | 'attrs'>): string {
  const a = (node.attrs ?? {}) as Partial<NetworkOpAttrs>;
  if (!Array.isArray(a.input)) {
    throw new NasxError('architecture', `operator "${node.op}" has no input shape (attrs.input), so it has no latency-table key`, {
      fix: 'network-level graphs give every op node attrs.input (see NetworkOpAttrs)',
    });
  }
  const parts = [node.op, `in=${a.input.join('x')}`];
  if (a.cout !== undefined) parts.push(`out=${a.cout}`);
  if (a.kernel !== undefined) parts.push(`k=${a.kernel}`);
  if (a.stride !== undefined) parts.push(`s=${a.stride}`);
  if (a.expansion !== undefined) parts.push(`e=${a.expansion}`);
  if (a.groups !== undefined && a.groups !== 1) parts.push(`g=${a.groups}`);
  if (a.se !== undefined) parts.push(`se=${a.se}`);
  if (a.skip !== undefined) parts.push(`skip=${a.skip}`);
  if (a.activation !== undefined || ['conv', 'sep_conv', 'mbconv'].includes(node.op)) parts.push(`act=${a.activation ?? 'relu'}`);
  return parts.join(' ');
}

/** One row of an operator latency table in nasx's own layout (what `nasx latency profile` writes). */
export interface OperatorTableRow {
  /** {@link operatorKey} of the operator. */
  readonly key: string;
  /** Median latency in milliseconds of one forward pass of the operator alone. */
  readonly ms: number;
  /** How many timed runs the median is over. */
  readonly samples: number;
}

/** Facts about how an operator table was measured (the `# name: value` header lines). */
export interface OperatorTableMeta {
  /** Device name the table serves, e.g. `local-wasm` or `pixel7-webgl`. */
  readonly device: string;
  /** Backend and set-up, e.g. `tfjs 4.22.0 wasm, 2 threads`. */
  readonly backend: string;
  /** Batch size of the timed passes. */
  readonly batch: number;
  readonly [name: string]: string | number;
}

const HEADER = 'key,latency_ms,samples';

/**
 * Writes an operator table in nasx's layout: `# name: value` lines (device, backend, batch, …),
 * then CSV `key,latency_ms,samples` with the key quoted.
 */
export function formatOperatorTable(meta: OperatorTableMeta, rows: readonly OperatorTableRow[]): string {
  const head = Object.entries(meta).map(([k, v]) => `# ${k}: ${String(v).replace(/\n/g, ' ')}`);
  const body = rows.map((r) => `"${r.key}",${r.ms},${r.samples}`);
  return [...head, HEADER, ...body].join('\n') + '\n';
}

/** Reads {@link formatOperatorTable}'s output; `file` names the source in errors. */
export function parseOperatorTable(text: string, file: string): { meta: OperatorTableMeta; rows: OperatorTableRow[] } {
  const meta: Record<string, string | number> = {};
  const rows: OperatorTableRow[] = [];
  let sawHeader = false;
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const m = /^#\s*([^:]+):\s*(.*)$/.exec(line);
    if (m) {
      const v = m[2]!.trim();
      meta[m[1]!.trim()] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
      return;
    }
    if (!sawHeader) {
      if (line.trim() !== HEADER) {
        throw new NasxError('data', `${file}, line ${i + 1}: expected the header "${HEADER}" of a nasx operator table, found "${line.slice(0, 80)}"`, {
          file,
          line: i + 1,
          fix: 'use a table written by nasx latency profile',
        });
      }
      sawHeader = true;
      return;
    }
    const r = /^"([^"]+)",([^,]+),(\d+)$/.exec(line.trim());
    const ms = r ? Number(r[2]) : NaN;
    if (!r || !Number.isFinite(ms) || ms < 0) {
      throw new NasxError('data', `${file}, line ${i + 1}: "${line.slice(0, 80)}" is not a row "key",latency_ms,samples with a latency ≥ 0`, {
        file,
        line: i + 1,
        fix: 'use a table written by nasx latency profile, unedited',
      });
    }
    rows.push({ key: r[1]!, ms, samples: Number(r[3]) });
  });
  for (const k of ['device', 'backend', 'batch'] as const) {
    if (meta[k] === undefined)
      throw new NasxError('data', `${file} has no "# ${k}: …" line`, { file, fix: 'use a table written by nasx latency profile, unedited' });
  }
  return { meta: meta as OperatorTableMeta, rows };
}
