// Test helpers of the ONNX Runtime training engine.

/** max |a − b| over max |b|: the error relative to the reference's scale (arrays of one length). */
export function maxRelativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`length ${got.length} vs ${want.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/**
 * A parameter's entries that say something about two engines' agreement after Adam steps: GPT-2's
 * key bias (the slice [e, 2e) of c_attn.bias) has an analytically zero gradient (a constant added
 * to every score of a row leaves the softmax unchanged), so both engines' values are rounding
 * noise (~1e-9) that Adam's m/sqrt(v) turns into steps of ±lr; that slice is dropped.
 */
export function comparable(name: string, data: Float32Array): Float32Array {
  if (!name.endsWith("attn.c_attn.bias")) return data;
  const e = data.length / 3;
  return Float32Array.from([...data.subarray(0, e), ...data.subarray(2 * e)]);
}
