import { defineDataset } from '@nasx/contracts';
import { NB201_FILES } from '../../tabular/nb201.table';
import { convertNb201 } from './nb201.converter';

/** The upstream file: NAS-Bench-201 v1.1, the version the NAS-Bench-201 README recommends. */
export const NB201_UPSTREAM_FILE = 'NAS-Bench-201-v1_1-096897.pth';

/** Google Drive id of the file, from the D-X-Y/NAS-Bench-201 README ("[2020.03.16] APIv1.3/FILEv1.1"). */
const DRIVE_ID = '16Y0UwGisiouVRxW-W5hEtbxmcHw_0hF_';

const TABLES = [NB201_FILES.nats, NB201_FILES.minibench, NB201_FILES.naswot] as const;

/**
 * `nasx data fetch nb201`: downloads NAS-Bench-201 v1.1 (4.7 GB) from its official Google Drive
 * location and converts it into the three tables of `nas-bench-201/` (see the README, "Data").
 * No checksum is published for the file (its name's last six digits are not a stated digest), so
 * the command records the sha256 it computes.
 */
export const nb201Dataset = defineDataset({
  id: 'nb201',
  title: 'NAS-Bench-201 v1.1 (tables for the tabular estimator)',
  description:
    'NAS-Bench-201-v1_1-096897.pth (Dong & Yang, ICLR 2020), converted into the 12- and 200-epoch accuracy tables of nas-bench-201/ that the tabular estimator reads.',
  upstream: [
    {
      name: NB201_UPSTREAM_FILE,
      // Drive's direct-download form; confirm=t skips the "too large to scan" page of big files.
      urls: [`https://drive.usercontent.google.com/download?id=${DRIVE_ID}&export=download&confirm=t`],
      license: 'MIT (D-X-Y/NAS-Bench-201)',
      citation: 'Xuanyi Dong and Yi Yang. NAS-Bench-201: Extending the Scope of Reproducible Neural Architecture Search. ICLR 2020.',
    },
  ],
  produces: TABLES.map((f) => `nas-bench-201/${f}`),
  convert: async (ctx) => {
    const outputs: { [file: string]: string } = {};
    for (const f of TABLES) outputs[f] = ctx.output(`nas-bench-201/${f}`);
    await convertNb201(ctx.input(NB201_UPSTREAM_FILE), outputs, ctx);
  },
});
