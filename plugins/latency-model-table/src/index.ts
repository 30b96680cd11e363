/**
 * @packageDocumentation
 * `@nasx/latency-model-table`: the `table` latency model, measured latencies of NAS-Bench-201
 * cells on GPUs, CPUs, phones and edge devices (HELP, HW-NAS-Bench-360) from the data directory.
 */
import { definePlugin } from '@nasx/contracts';
import { tableLatencyModel } from './table/table.latency-model';

export { TableLatencyModel, tableLatencyModel, knownDevices, LATENCY_TABLES } from './table/table.latency-model';
export { tableSchema, type TableOptions } from './table/table.schema';

export default definePlugin({ contributions: [tableLatencyModel] });
