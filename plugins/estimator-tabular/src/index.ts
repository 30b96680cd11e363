/**
 * @packageDocumentation
 * `@nasx/estimator-tabular`: the `tabular` estimator, which answers from NAS benchmark
 * ground-truth tables (NAS-Bench-201, NAS-Bench-101) read from the user's data directory, and the
 * `score-table` estimator, which serves a `nasx score` output (or NASLib's zero-cost table) as a proxy.
 */
import { definePlugin } from '@nasx/contracts';
import { scoreTableEstimator } from './score-table/score-table.estimator';
import { tabularEstimator } from './tabular/tabular.estimator';
import { nb101Dataset, nb101Only108Dataset } from './upstream/nb101/nb101.dataset';
import { nb201Dataset } from './upstream/nb201/nb201.dataset';

export {
  scoreTableEstimator,
  readScoreTable,
  resolveScoreFile,
  type ScoreTable,
  type ScoreTableEstimator,
  type ScoreTableOptions,
  type ScoreFileFormat,
} from './score-table/score-table.estimator';
export { tabularEstimator, openBenchmarkTable, TABULAR_ADAPTERS, type TabularOptions, type TabularEstimator } from './tabular/tabular.estimator';
export { BenchmarkTable, clearTableCache, type TabularAdapter, type ColumnSource, type LoadedFile } from './tabular/benchmark-table';
export {
  nb201Adapter,
  nb201Code,
  nb201OpsOfCode,
  nb201CodeOfArchStr,
  formatNb201ArchStr,
  NB201_OPS,
  NB201_SIZE,
  NB201_DATASETS,
  NB201_FILES,
} from './tabular/nb201.table';
export { nb101Adapter, NB101_FILE, NB101_CELLS, NB101_EPOCHS, NB101_DATASETS } from './tabular/nb101.table';
export { parseCsv, type CsvColumns, type CsvColumnType } from '@nasx/data';
export {
  NB101_RELEASE,
  NB101_FULL_TABLE,
  NB101_ONLY108_TABLE,
  NB101_COLUMNS,
  NB101_OPS_SEPARATOR,
  type Nb101ReleaseFile,
} from './upstream/nb101/nb101.release';
export { convertNb101, type ConvertNb101Options, type Nb101ConvertProgress, type Nb101ConvertResult } from './upstream/nb101/nb101.converter';
export { decodeModelMetrics, ProtobufDecodeError, type ModelMetrics, type EvaluationData } from './upstream/nb101/model-metrics.decoder';

export { nb201Dataset, NB201_UPSTREAM_FILE } from './upstream/nb201/nb201.dataset';
export { convertNb201, reduceNb201, NB201_TABLES } from './upstream/nb201/nb201.converter';
export { loadTorchFile, torchFormat, type TorchFormat, type TorchStorageRef } from './upstream/torch/torch-file.reader';
export { readPickle, PyDict, PyObject, PyGlobal, PickleError, ByteSource, type PickleOptions } from '@nasx/data';
export { writeSyntheticNb201, type SyntheticNb201Row } from './testing/nb201-benchmark.writer';

export { nb101Dataset, nb101Only108Dataset } from './upstream/nb101/nb101.dataset';

export default definePlugin({ contributions: [tabularEstimator, scoreTableEstimator, nb201Dataset, nb101Dataset, nb101Only108Dataset] });
