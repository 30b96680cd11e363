import type { NetworkOptions } from './network';

/**
 * A network's input and output geometry, from a task's shapes: images `[C, H, W]` or sequences
 * `[C, L]` (held as height-1 images inside, `height` 1), and a point head (`[classes]`) or a dense
 * head that keeps the input's spatial size (`[K, H, W]` / `[K, L]`).
 */
export interface IoShape {
  /** 2 for images, 1 for sequences. */
  readonly dims: 1 | 2;
  readonly channels: number;
  /** 1 for sequences. */
  readonly height: number;
  /** The length of a sequence. */
  readonly width: number;
  /** A dense head (per-position outputs) rather than a point head. */
  readonly dense: boolean;
  /** Classes of a point head, output channels of a dense head. */
  readonly outChannels: number;
  /** The per-sample output shape, channels first. */
  readonly outputShape: readonly number[];
}

const positiveInts = (s: readonly number[]) => s.every((d) => Number.isInteger(d) && d > 0);

/**
 * The {@link IoShape} of `options`, or the error `fail(problem, fix)` makes. `dense: false` refuses
 * dense outputs (builders with a point head only).
 */
export function ioShapeOf(
  options: NetworkOptions,
  fail: (problem: string, fix: string) => Error,
  supports: { readonly dense?: boolean; readonly sequences?: boolean } = {},
): IoShape {
  const s = options.inputShape;
  const sequencesOk = supports.sequences ?? true;
  if (!((s.length === 3 || (sequencesOk && s.length === 2)) && positiveInts(s))) {
    throw fail(
      `input shape [${s.join(', ')}] is not [channels, height, width]${sequencesOk ? ' or [channels, length]' : ''}`,
      sequencesOk ? "pass the task's inputShape: e.g. [3, 32, 32] for images or [1, 1000] for a sequence" : 'this network takes images: pass e.g. [3, 32, 32]',
    );
  }
  if (!Number.isInteger(options.numClasses) || options.numClasses < 1) {
    throw fail(`numClasses must be a positive integer, got ${options.numClasses}`, "pass the task's numClasses (a dense task's output channels)");
  }
  const dims = s.length === 3 ? 2 : 1;
  const [channels, height, width] = dims === 2 ? [s[0]!, s[1]!, s[2]!] : [s[0]!, 1, s[1]!];
  const out = options.outputShape ?? [options.numClasses];
  const spatial = s.slice(1);
  if (!positiveInts(out) || out[0] !== options.numClasses) {
    throw fail(`output shape [${out.join(', ')}] does not start with numClasses ${options.numClasses}`, "pass the task's outputShape and numClasses together");
  }
  const dense = out.length > 1;
  if (dense && out.slice(1).join('x') !== spatial.join('x')) {
    throw fail(
      `dense output shape [${out.join(', ')}] does not keep the input's spatial size [${spatial.join(', ')}]`,
      `a dense head predicts at every input position: use outputShape [${options.numClasses}, ${spatial.join(', ')}]`,
    );
  }
  if (dense && supports.dense === false) {
    throw fail(
      `this network has a point head only, but the task asks for a dense output [${out.join(', ')}]`,
      'search a space whose builder has dense heads (nb201, wrn) for this task',
    );
  }
  return { dims, channels, height, width, dense, outChannels: options.numClasses, outputShape: [...out] };
}
