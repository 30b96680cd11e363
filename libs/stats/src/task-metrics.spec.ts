import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError } from '@nasx/contracts';
import {
  argmaxChannels,
  argmaxRows,
  auroc,
  averagePrecision,
  macroF1,
  mae8,
  meanAveragePrecision,
  meanIoU,
  relativeL2,
  rocAuc,
  zeroOneError,
} from './task-metrics';

interface Fixtures {
  sklearn: string;
  cases: Record<string, Array<Record<string, unknown> & { value: number }>>;
}
const fixtures = JSON.parse(fs.readFileSync(path.join(__dirname, '__fixtures__', 'task-metrics.sklearn.json'), 'utf8')) as Fixtures;
const arr = (v: unknown) => Float64Array.from(v as Array<number | null>, (x) => (x === null ? NaN : x));
const close = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));

describe('hand-computed cases', () => {
  it('0-1 error and argmax (first maximum on ties)', () => {
    expect(zeroOneError([0, 1, 2, 3], [0, 1, 1, 0])).toBe(50);
    expect(Array.from(argmaxRows([0.1, 0.9, 0.5, 0.5, 2, 1], 3, 2))).toEqual([1, 0, 0]);
  });

  it('macro F1 with a class never predicted and a class absent', () => {
    // class 0: tp 2 fp 1 fn 0 → 0.8; class 1: tp 1 fp 0 fn 1 → 2/3; class 2 never predicted: 0; class 3 absent: 0 or skipped
    const truth = [0, 0, 1, 1, 2];
    const pred = [0, 0, 1, 0, 1];
    // class 1: tp 1, fp 1 (the 2 predicted as 1), fn 1 → 0.5
    close(macroF1(truth, pred, { classes: 4 }), (0.8 + 0.5 + 0 + 0) / 4);
    close(macroF1(truth, pred, { classes: 4, absentClasses: 'skip' }), (0.8 + 0.5 + 0) / 3);
    expect(macroF1([1, 1], [1, 1], { classes: 2, absentClasses: 'skip' })).toBe(1);
  });

  it('average precision and ROC AUC, with ties, constant scores and all-negative labels', () => {
    // scores 0.9(+) 0.8(−) 0.7(+) 0.1(−): AP = ½·1 + ½·⅔; AUC = 3/4
    close(averagePrecision([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1]), 0.5 + 1 / 3);
    close(rocAuc([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1]), 0.75);
    // constant predictions: AUC ½, AP = prevalence
    close(rocAuc([1, 0, 0, 0], [0.3, 0.3, 0.3, 0.3]), 0.5);
    close(averagePrecision([1, 0, 0, 0], [0.3, 0.3, 0.3, 0.3]), 0.25);
    // a tie between a positive and a negative counts one half
    close(rocAuc([1, 0], [0.5, 0.5]), 0.5);
    expect(averagePrecision([0, 0, 0], [0.1, 0.2, 0.3])).toBeNaN();
    expect(rocAuc([0, 0, 0], [0.1, 0.2, 0.3])).toBeNaN();
    // mAP over two labels, the second all-negative: scikit-learn's macro counts it as 0
    close(meanAveragePrecision([1, 0, 0, 0], [0.9, 0.2, 0.1, 0.3], 2, 2), 0.5);
    close(meanAveragePrecision([1, 0, 0, 0], [0.9, 0.2, 0.1, 0.3], 2, 2, { noPositive: 'skip' }), 1);
    // macro AUROC skips a one-class label; pooled and thresholded (Cosmic)
    close(auroc([1, 0, 0, 0, 1, 0], [0.9, 0.4, 0.2, 0.5, 0.3, 0.1], 3, 2, { average: 'macro' }), 1);
    close(auroc([1, 0, 0, 1], [0.9, 0.6, 0.4, 0.45], 2, 2, { average: 'pooled', threshold: 0.5 }), 0.5);
    close(auroc([1, 0, 0, 1], [0.9, 0.6, 0.4, 0.45], 2, 2, { average: 'pooled' }), 0.75);
  });

  it('relative ℓ2 and MAE₈', () => {
    close(relativeL2([1, 1, 0, 2], [1, 0, 0, 1], 2, 2), (1 / 1 + 1 / 1) / 2);
    // one protein, side 26: only pairs (0, 24), (0, 25), (1, 25) are ≥ 24 apart
    const side = 26;
    const truth = new Float64Array(side * side).fill(20);
    const pred = new Float64Array(side * side).fill(0);
    truth[0 * side + 24] = 5;
    truth[0 * side + 25] = 9; // > 8 Å: not counted
    truth[1 * side + 25] = 8;
    pred[0 * side + 24] = 6;
    pred[24 * side + 0] = 4; // mean of the triangles: 5 → error 0
    pred[1 * side + 25] = 7;
    pred[25 * side + 1] = 7; // error 1
    close(mae8(pred, truth, 1, side), 0.5);
    expect(mae8(pred, truth, 1, side, { lengths: [20] })).toBeNaN();
  });

  it('refuses empty and mismatched inputs with a usage error', () => {
    expect(() => zeroOneError([], [])).toThrow(NasxError);
    expect(() => rocAuc([1, 0], [0.5])).toThrow(/2 values against 1/);
    expect(() => meanAveragePrecision([1, 0], [0.5, 0.2], 2, 2)).toThrow(/expected 4/);
  });
});

describe(`against scikit-learn ${fixtures.sklearn} on the same inputs`, () => {
  const c = fixtures.cases;
  it.each(c.f1!.map((x, i) => [i, x]))('macro F1 #%i', (_, x) => close(macroF1(arr(x.truth), arr(x.pred), { classes: x.classes as number }), x.value));
  it.each(c.ap!.map((x, i) => [i, x]))('average precision #%i', (_, x) => close(averagePrecision(arr(x.truth), arr(x.scores)), x.value));
  it.each(c.auc!.map((x, i) => [i, x]))('ROC AUC #%i', (_, x) => close(rocAuc(arr(x.truth), arr(x.scores)), x.value));
  it.each(c.map!.map((x, i) => [i, x]))('mAP (macro, a label without positives) #%i', (_, x) =>
    close(meanAveragePrecision(arr(x.truth), arr(x.scores), x.n as number, x.k as number), x.value),
  );
  it.each(c.mauc!.map((x, i) => [i, x]))('mean per-label AUROC #%i', (_, x) =>
    close(auroc(arr(x.truth), arr(x.scores), x.n as number, x.k as number, { average: 'macro' }), x.value),
  );
  it.each(c.pooled!.map((x, i) => [i, x]))('pooled AUROC, raw and thresholded at 0.5 #%i', (_, x) => {
    close(auroc(arr(x.truth), arr(x.scores), x.n as number, x.k as number, { average: 'pooled' }), x.value);
    close(auroc(arr(x.truth), arr(x.scores), x.n as number, x.k as number, { average: 'pooled', threshold: 0.5 }), x.thresholded as number);
  });
  it.each(c.rel_l2!.map((x, i) => [i, x]))('relative ℓ2 #%i', (_, x) => close(relativeL2(arr(x.pred), arr(x.truth), x.n as number, x.d as number), x.value));
  it.each(c.mae8!.map((x, i) => [i, x]))("MAE₈ against NAS-Bench-360's calculate_mae #%i", (_, x) =>
    close(
      mae8(arr(x.pred), arr(x.truth), x.n as number, x.side as number, { lengths: x.lengths as number[], symmetrize: x.quirk ? 'nb360-eval' : 'mean' }),
      x.value,
    ),
  );
});

describe('meanIoU (segmentation)', () => {
  it('hand-computed: void pixels are not scored, a class absent from truth and predictions is left out', () => {
    // Scored pixels: class 0 TP 1, FP 1, FN 1 → 1/3; class 1 TP 2, FP 1 → 2/3; class 2 TP 1, FN 1 → 1/2.
    const truth = [0, 0, 1, 1, 2, 11, 2];
    const pred = [0, 1, 1, 1, 2, 0, 0];
    expect(meanIoU(truth, pred, { classes: 3 })).toBeCloseTo(50, 10);
    expect(meanIoU(truth, pred, { classes: 4 })).toBeCloseTo(50, 10);
    // A predicted class never true still counts (IoU 0): class 3 predicted once.
    expect(meanIoU([0, 0, 1, 1], [0, 3, 1, 1], { classes: 4 })).toBeCloseTo((100 * (1 / 2 + 1 + 0)) / 3, 10);
  });

  it('edge cases: constant predictions, perfect predictions, nothing scored', () => {
    expect(meanIoU([0, 1, 2], [0, 0, 0], { classes: 3 })).toBeCloseTo(100 / 9, 10);
    expect(meanIoU([4, 2, 2, 0], [4, 2, 2, 0], { classes: 5 })).toBe(100);
    expect(meanIoU([11, 11], [0, 1], { classes: 11 })).toBeNaN();
    expect(() => meanIoU([0, 1], [0], { classes: 2 })).toThrow(/2 values against 1/);
  });

  it('argmaxChannels reads channel-first maps per pixel', () => {
    // 1 sample, 3 channels, 2 pixels: pixel 0 → channel 2, pixel 1 → channel 0.
    expect(Array.from(argmaxChannels([0.1, 0.9, 0.2, 0.0, 0.7, 0.05], 1, 3, 2))).toEqual([2, 0]);
  });
});
