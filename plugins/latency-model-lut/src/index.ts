/**
 * @packageDocumentation
 * `@nasx/latency-model-lut`: the `lut` latency model, the latency of a network as the sum of its
 * operators' latencies in a lookup table (MnasNet, FBNet, ProxylessNAS), from tables written by
 * `nasx latency profile` or the published TF-NAS and ProxylessNAS tables.
 */
import { definePlugin } from '@nasx/contracts';
import { lutLatencyModel } from './lut/lut.latency-model';

export { LutLatencyModel, PROFILED_TABLE_DIRS, createLutModel, listLutDevices, lutLatencyModel } from './lut/lut.latency-model';
export { BUILTIN_TABLES, readOperatorTable, resolveTable, type LoadedTable } from './lut/lut-layouts';
export { lutSchema, type LutOptions } from './lut/lut.schema';

export default definePlugin({ contributions: [lutLatencyModel] });
