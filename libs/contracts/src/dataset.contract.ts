/**
 * Datasets: benchmark data that `nasx data fetch <id>` downloads from its upstream release and
 * converts into the files a plugin reads from the data directory. The plugin that reads the data
 * contributes the dataset (the tabular estimator contributes `nb201`, the CIFAR-10 task `cifar10`),
 * so installing a plugin makes its data obtainable; a third-party plugin publishes one the same way.
 */

/** A published checksum of an upstream file. */
export interface UpstreamChecksum {
  readonly algorithm: 'sha256' | 'md5';
  /** Lowercase hex digest. */
  readonly hex: string;
  /** Where the value is published (a URL), so a user can check it independently. */
  readonly source?: string;
}

/** One file of an upstream release, downloaded as it is. */
export interface UpstreamFile {
  /** File name: the name it is saved under and looked up as `<mirror>/<name>`. */
  readonly name: string;
  /** Official download URLs, tried in order. */
  readonly urls: readonly string[];
  /** Size in bytes, when known (checked after download). */
  readonly size?: number;
  /** Published checksum, when the upstream publishes one; absent means none is published. */
  readonly checksum?: UpstreamChecksum;
  /** License of the data (SPDX id or a short phrase). */
  readonly license: string;
  /** How to cite it. */
  readonly citation?: string;
}

/** What a converter receives. */
export interface DatasetConvertContext {
  /** The local path of each downloaded upstream file, by its {@link UpstreamFile.name}. */
  input(name: string): string;
  /**
   * Where to write a produced file (`produces` path, relative to the data directory). It is a
   * temporary path: the command moves it into place once every file is written and verified.
   */
  output(relativePath: string): string;
  /** Aborts on Ctrl-C: check it in long loops (or pass it to streams). */
  readonly signal: AbortSignal;
  /** Progress of the conversion: bytes (or items) done of total, with a short label. */
  progress(done: number, total: number | undefined, label: string): void;
}

/**
 * A dataset contribution: where its upstream files are, what it produces and how.
 *
 * @example
 * export const cifar10Dataset = defineDataset({
 *   id: 'cifar10', title: 'CIFAR-10 (binary version)', description: '…',
 *   upstream: [{ name: 'cifar-10-binary.tar.gz', urls: ['https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz'],
 *                checksum: { algorithm: 'md5', hex: 'c32a1d4ab5d03f1284b67883e8d87530' }, license: '…' }],
 *   produces: ['cifar-10-batches-bin/test_batch.bin', …],
 *   convert: (ctx) => extractTarGz(ctx.input('cifar-10-binary.tar.gz'), …),
 * });
 */
export interface DatasetDefinition {
  readonly kind: 'dataset';
  /** kebab-case id, what users type: `nasx data fetch nb201`. */
  readonly id: string;
  readonly title?: string;
  readonly description: string;
  readonly upstream: readonly UpstreamFile[];
  /** The files it writes, relative to the data directory (the manifest lists the same paths). */
  readonly produces: readonly string[];
  /** Streams the downloaded upstream files into the produced files. */
  convert(ctx: DatasetConvertContext): Promise<void>;
}

/** Define a dataset contribution (see {@link DatasetDefinition}). */
export function defineDataset(def: Omit<DatasetDefinition, 'kind'>): DatasetDefinition {
  return { ...def, kind: 'dataset' };
}
