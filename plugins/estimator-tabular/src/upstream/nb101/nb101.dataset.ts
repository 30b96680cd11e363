import { defineDataset, type DatasetDefinition } from '@nasx/contracts';
import { convertNb101 } from './nb101.converter';
import { NB101_RELEASE, type Nb101ReleaseFile } from './nb101.release';

/** The page that publishes the release's SHA-256 digests. */
const CHECKSUMS_SOURCE = `${NB101_RELEASE.homepage}#download-the-dataset`;

/** A dataset contribution converting one file of the official NAS-Bench-101 release into one table. */
function nb101ReleaseDataset(id: string, file: Nb101ReleaseFile, what: string): DatasetDefinition {
  return defineDataset({
    id,
    title: `${NB101_RELEASE.title}, ${what} (table for the tabular estimator)`,
    description: `${file.name} (${file.size}; ${NB101_RELEASE.models.toLocaleString('en-US')} cells, ${file.epochs.join('/')}-epoch budgets, 3 repeats each) from the official google-research/nasbench release, converted into ${NB101_RELEASE.subdir}/${file.produces}: per cell its graph, parameters and, per budget, the mean over repeats of final validation and test accuracy and training time.`,
    upstream: [
      {
        name: file.name,
        urls: [file.url],
        checksum: { algorithm: 'sha256', hex: file.sha256, source: CHECKSUMS_SOURCE },
        license: NB101_RELEASE.license,
        citation: NB101_RELEASE.citation,
      },
    ],
    produces: [`${NB101_RELEASE.subdir}/${file.produces}`],
    convert: async (ctx) => {
      await convertNb101({
        source: ctx.input(file.name),
        output: ctx.output(`${NB101_RELEASE.subdir}/${file.produces}`),
        signal: ctx.signal,
        onProgress: (p) =>
          p.phase === 'read'
            ? ctx.progress(p.bytes, p.totalBytes, `reading ${file.name} (${p.models.toLocaleString('en-US')} cells)`)
            : ctx.progress(p.rows, p.models, 'writing the table'),
      });
    },
  });
}

const [FULL, ONLY108] = NB101_RELEASE.files;

/** `nasx data fetch nb101`: the full release (4, 12, 36 and 108 epochs), the table the estimator prefers. */
export const nb101Dataset = nb101ReleaseDataset('nb101', FULL, 'all budgets');
/** `nasx data fetch nb101-108`: the smaller 108-epoch-only release. */
export const nb101Only108Dataset = nb101ReleaseDataset('nb101-108', ONLY108, '108 epochs only');
