import { describe, expect, it } from "vitest";
import { attrInt, DataType } from "./builders";
import { OnnxGraphBuilder } from "./graph-builder";
import { decodeModel, encodeModel } from "./proto";
import { float32Tensor, floatData, OnnxSession } from "./session";

// Deterministic pseudo-random values so a failure reproduces exactly.
function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
}

function naiveAffine(x: Float32Array, w: Float32Array, b: Float32Array, rows: number, inner: number, cols: number): Float32Array {
  const y = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let acc = b[c];
      for (let k = 0; k < inner; k++) acc += x[r * inner + k] * w[k * cols + c];
      y[r * cols + c] = acc;
    }
  }
  return y;
}

function affineModel(w: Float32Array, b: Float32Array, inner: number, cols: number): Uint8Array {
  const g = new OnnxGraphBuilder("affine");
  const x = g.addInput("x", DataType.FLOAT, ["rows", inner]);
  const xw = g.op("MatMul", [x, g.addWeight("w", [inner, cols], w)]);
  g.addOutput("y", g.op("Add", [xw, g.addWeight("b", [cols], b)]), DataType.FLOAT, ["rows", cols]);
  return encodeModel(g.toModel());
}

describe("ONNX writer and session", () => {
  it("MatMul+Add with weights as initializers matches a plain loop, for any row count", async () => {
    const [inner, cols] = [5, 3];
    const w = values(inner * cols, 1);
    const b = values(cols, 2);
    const session = await OnnxSession.create(affineModel(w, b, inner, cols), { intraOpNumThreads: 1 });
    for (const rows of [1, 4]) {
      const x = values(rows * inner, 10 + rows);
      const out = await session.run({ x: float32Tensor(x, [rows, inner]) });
      expect(out.y.dims).toEqual([rows, cols]);
      const want = naiveAffine(x, w, b, rows, inner, cols);
      floatData(out.y).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    }
    await session.release();
  });

  it("round-trips a model through the protobuf schema with official field numbers", () => {
    const g = new OnnxGraphBuilder("rt");
    const x = g.addInput("x", DataType.FLOAT, ["batch", 4]);
    g.addOutput("y", g.op("Softmax", [x], [attrInt("axis", -1)]), DataType.FLOAT, ["batch", 4]);
    const bytes = encodeModel(g.toModel(17));
    // Field 1 (ir_version, varint) = 8 must be the first bytes: tag 0x08, value 0x08.
    expect([bytes[0], bytes[1]]).toEqual([0x08, 0x08]);
    const back = decodeModel(bytes);
    expect(back.opsetImport[0].version).toBe(17);
    expect(back.graph.node[0].opType).toBe("Softmax");
    expect(back.graph.node[0].attribute?.[0]).toMatchObject({ name: "axis", i: -1, type: 2 });
    expect(back.graph.input[0].type.tensorType.shape.dim).toEqual([{ dimParam: "batch" }, { dimValue: 4 }]);
  });

  it("deduplicates constants so repeated shapes cost one initializer", () => {
    const g = new OnnxGraphBuilder();
    expect(g.int64([1, 2])).toBe(g.int64([1, 2]));
    expect(g.int64([1, 2])).not.toBe(g.int64([2, 1]));
    expect(g.float([0.5])).not.toBe(g.int64([0]));
  });
});
