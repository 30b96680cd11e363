import * as os from 'node:os';
import { formatNasxError, isNasxError } from '@nasx/contracts';
import type { CliIO } from '../io';
import { EXIT } from '../io';

/** One row of `nasx doctor`. */
interface BackendRow {
  readonly name: string;
  readonly status: 'in use' | 'available' | 'passed over' | 'not available';
  readonly reason?: string;
  readonly enable: string;
}

/**
 * `nasx doctor`: the tensor backend nasx uses here, each backend passed over and why, how to
 * enable each, the core count, and oneDNN's version and instruction set when it loads. Exits 1
 * when no backend initialises (or a forced one fails), with the error printed.
 */
export async function doctorCommand(io: CliIO, opts: { json?: boolean }): Promise<number> {
  const tensor = await import('@nasx/tensor');
  let info: Awaited<ReturnType<typeof tensor.initTensorBackend>> | undefined;
  let failure: unknown;
  try {
    info = await tensor.initTensorBackend();
  } catch (e) {
    failure = e;
  }
  const skipped = new Map((info?.skipped ?? []).map((s) => [s.name as string, s.reason]));
  const choice = info
    ? info.source === 'auto'
      ? 'the fastest that loads'
      : info.source === 'env'
        ? `${tensor.BACKEND_ENV_VAR}=${info.name}`
        : 'the caller'
    : undefined;
  let onednn: { version: string; isa: string; threads: number } | undefined = info?.onednn;
  const rows: BackendRow[] = tensor.TENSOR_BACKENDS.map((name) => {
    const enable = tensor.TENSOR_BACKEND_SETUP[name];
    if (info?.name === name) return { name, status: 'in use', enable };
    const reason = skipped.get(name);
    if (reason !== undefined) return { name, status: 'not available', reason, enable };
    const probe = tensor.probeTensorBackend(name);
    if (!probe.available) return { name, status: 'not available', reason: probe.reason, enable };
    if (probe.onednn) onednn ??= { version: probe.onednn.version, isa: probe.onednn.isa, threads: probe.onednn.threads };
    if (!info) return { name, status: 'available', enable };
    const slower = tensor.TENSOR_BACKENDS.indexOf(name) > tensor.TENSOR_BACKENDS.indexOf(info.name);
    return {
      name,
      status: slower ? 'available' : 'passed over',
      reason: slower ? 'slower than the one in use' : `${choice} chose ${info.name}`,
      enable,
    };
  });
  const cores = os.availableParallelism();
  if (opts.json) {
    const report = {
      backend: info ? { name: info.name, tfBackend: info.tfBackend, source: info.source, simd: info.simd } : null,
      error: failure === undefined ? undefined : isNasxError(failure) ? formatNasxError(failure) : String(failure),
      backends: rows,
      cores,
      onednn: onednn ?? null,
    };
    io.out(JSON.stringify(report, null, 2) + '\n');
  } else {
    if (info) {
      const detail = [info.simd !== undefined ? (info.simd ? 'wasm SIMD' : 'no wasm SIMD') : undefined].filter(Boolean).join(', ');
      io.out(`backend in use: ${info.name} (${choice}${detail ? `; ${detail}` : ''})\n`);
    } else {
      io.out(`backend in use: none\n`);
    }
    io.out(`cores: ${cores}\n`);
    if (onednn) {
      io.out(`oneDNN: ${onednn.version}, ${onednn.isa}, ${onednn.threads} thread${onednn.threads === 1 ? '' : 's'} (OMP_NUM_THREADS sets the count)\n`);
    }
    // A list, not a table: the reasons and commands are long and must not be cut.
    io.out('\nbackends, fastest first:\n');
    const pad = Math.max(...rows.map((r) => r.name.length));
    for (const r of rows) {
      io.out(`  ${r.name.padEnd(pad)}  ${r.status}${r.reason ? `: ${r.reason}` : ''}\n`);
      if (r.status === 'not available' || r.status === 'passed over') io.out(`  ${' '.repeat(pad)}  to enable: ${r.enable}\n`);
    }
  }
  if (failure !== undefined) {
    io.err((isNasxError(failure) ? formatNasxError(failure) : String(failure)) + '\n');
    return EXIT.failed;
  }
  return EXIT.ok;
}
