/** Learning-rate schedules the trainer knows. */
export type LearningRateSchedule = 'cosine' | 'constant';

/**
 * Learning rate before optimizer step `step` (0-based) of `totalSteps`. `cosine` is NAS-Bench-201's
 * schedule (xautodl `CosineAnnealingLR`, updated every iteration with the fractional epoch, no
 * warm-up): `min + (base − min)·(1 + cos(π·step/totalSteps))/2`.
 */
export function learningRateAt(schedule: LearningRateSchedule, step: number, totalSteps: number, base: number, min = 0): number {
  if (schedule === 'constant' || totalSteps <= 0) return base;
  return min + ((base - min) * (1 + Math.cos((Math.PI * Math.min(step, totalSteps)) / totalSteps))) / 2;
}
