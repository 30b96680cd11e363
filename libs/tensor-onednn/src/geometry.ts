import type { Conv2DGeometry, Pool2DGeometry, PoolKind } from './onednn';

/** TensorFlow's padding: `same`, `valid`, or explicit `[top, bottom, left, right]`. */
export type Padding = 'same' | 'valid' | readonly [number, number, number, number];

function pads(inH: number, inW: number, effH: number, effW: number, sh: number, sw: number, padding: Padding) {
  if (padding === 'valid') {
    return { outH: Math.floor((inH - effH) / sh) + 1, outW: Math.floor((inW - effW) / sw) + 1, top: 0, bottom: 0, left: 0, right: 0 };
  }
  if (padding === 'same') {
    // TensorFlow's SAME: out = ⌈in / stride⌉, the odd pixel of padding goes bottom/right.
    const outH = Math.ceil(inH / sh);
    const outW = Math.ceil(inW / sw);
    const ph = Math.max((outH - 1) * sh + effH - inH, 0);
    const pw = Math.max((outW - 1) * sw + effW - inW, 0);
    return { outH, outW, top: Math.floor(ph / 2), bottom: ph - Math.floor(ph / 2), left: Math.floor(pw / 2), right: pw - Math.floor(pw / 2) };
  }
  const [top, bottom, left, right] = padding;
  return {
    outH: Math.floor((inH + top + bottom - effH) / sh) + 1,
    outW: Math.floor((inW + left + right - effW) / sw) + 1,
    top,
    bottom,
    left,
    right,
  };
}

function positive(what: string, ...values: number[]): void {
  for (const v of values)
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`@nasx/tensor-onednn: ${what} must be positive integers, got ${values.join(', ')}`);
}

/**
 * The geometry of an NHWC convolution of `x` (`[N, H, W, C]`) with a TensorFlow filter:
 * `[KH, KW, C / groups, OC]` (regular and grouped) — for a depthwise convolution pass
 * `groups = C` and the filter `[KH, KW, C, multiplier]`, which is the same memory.
 */
export function conv2dGeometry(
  xShape: readonly [number, number, number, number],
  filterShape: readonly [number, number, number, number],
  o: { strides?: number | readonly [number, number]; padding: Padding; dilations?: number | readonly [number, number]; groups?: number; depthwise?: boolean },
): Conv2DGeometry {
  const [batch, inHeight, inWidth, inChannels] = xShape;
  const [filterHeight, filterWidth, fIn, fOut] = filterShape;
  const [sh, sw] = typeof o.strides === 'number' ? [o.strides, o.strides] : (o.strides ?? [1, 1]);
  const [dh, dw] = typeof o.dilations === 'number' ? [o.dilations, o.dilations] : (o.dilations ?? [1, 1]);
  positive('shapes, strides and dilations', batch, inHeight, inWidth, inChannels, filterHeight, filterWidth, fIn, fOut, sh, sw, dh, dw);
  const groups = o.depthwise ? inChannels : (o.groups ?? 1);
  const outChannels = o.depthwise ? inChannels * fOut : fOut;
  if (o.depthwise ? fIn !== inChannels : fIn * groups !== inChannels) {
    throw new RangeError(`@nasx/tensor-onednn: filter [${filterShape.join(', ')}] does not fit ${inChannels} input channels in ${groups} group(s)`);
  }
  const effH = (filterHeight - 1) * dh + 1;
  const effW = (filterWidth - 1) * dw + 1;
  const p = pads(inHeight, inWidth, effH, effW, sh, sw, o.padding);
  if (p.outH < 1 || p.outW < 1) throw new RangeError(`@nasx/tensor-onednn: a ${effH}×${effW} window does not fit the ${inHeight}×${inWidth} input`);
  return {
    batch,
    inHeight,
    inWidth,
    inChannels,
    outChannels,
    filterHeight,
    filterWidth,
    outHeight: p.outH,
    outWidth: p.outW,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
    padTop: p.top,
    padBottom: p.bottom,
    padLeft: p.left,
    padRight: p.right,
    groups,
  };
}

/** The geometry of NHWC pooling with a `kh × kw` window. */
export function pool2dGeometry(
  xShape: readonly [number, number, number, number],
  o: { window: number | readonly [number, number]; strides?: number | readonly [number, number]; padding: Padding; kind: PoolKind },
): Pool2DGeometry {
  const [batch, inHeight, inWidth, channels] = xShape;
  const [kh, kw] = typeof o.window === 'number' ? [o.window, o.window] : o.window;
  const [sh, sw] = typeof o.strides === 'number' ? [o.strides, o.strides] : (o.strides ?? [kh, kw]);
  positive('shapes, windows and strides', batch, inHeight, inWidth, channels, kh, kw, sh, sw);
  const p = pads(inHeight, inWidth, kh, kw, sh, sw, o.padding);
  return {
    batch,
    inHeight,
    inWidth,
    channels,
    outHeight: p.outH,
    outWidth: p.outW,
    windowHeight: kh,
    windowWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    padTop: p.top,
    padBottom: p.bottom,
    padLeft: p.left,
    padRight: p.right,
    kind: o.kind,
  };
}
