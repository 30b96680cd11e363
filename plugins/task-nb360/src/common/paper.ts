/**
 * NAS-Bench-360's published results (Tu et al., NeurIPS 2022 Datasets and Benchmarks), in the
 * release's "lower is better" form: 0-1 error in %, 1 − F1, 1 − mAP, 1 − AUROC, relative ℓ2, MAE₈.
 * Source: the repository's results table `images/baselines.png` (rtu715/NAS-Bench-360, commit
 * 587bb09): mean ± std over three seeds of the fixed WRN ("WRN default"), DenseNAS ("original")
 * and DARTS with GAEA PC-DARTS. Expert numbers: the repository's draft table (`docs/index.md`,
 * "Human-designed architecture", an earlier version of the paper's table) where it reports the same
 * metric; otherwise none. Quoted as context: the paper trains on full data sets with GPU budgets.
 */

/** A mean ± std as published. */
export interface Published {
  readonly mean: number;
  readonly std?: number;
}

/** The published numbers of one task. */
export interface PaperResults {
  /** What the numbers measure, as NAS-Bench-360 reports it (lower is better). */
  readonly metric: string;
  readonly wrn: Published;
  readonly denseNas: Published;
  readonly dartsGaea: Published;
  readonly expert?: Published & { readonly note: string };
  /** Where the published metric differs from the one this task computes. */
  readonly caveat?: string;
}

/** Our metric value → NAS-Bench-360's "lower is better" form (e.g. F1 → 1 − F1, accuracy-style metrics stay). */
export type ToPaperForm = (ours: number) => number;
