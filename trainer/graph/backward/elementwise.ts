// Backward rules of the elementwise ops. Binary ops broadcast, so each operand's gradient is
// summed back to that operand's shape (Backward.unbroadcast).
import { broadcastShapes } from "../shapes";
import { noGradient, type Backward, type NodeOf, type Rule, type Rules } from "./types";

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

type BinaryOp = "add" | "sub" | "mul" | "div" | "pow";

/** Wraps per-operand gradient formulas (at the broadcast output shape) with unbroadcasting. */
function binary<K extends BinaryOp>(da: (b: Backward, n: NodeOf<K>, dy: string) => string, db: (b: Backward, n: NodeOf<K>, dy: string) => string): Rule<K> {
  return (b, node, [dy], needs) => {
    if (!dy) return [];
    const [x, y] = node.inputs;
    const out = broadcastShapes(b.shape(x), b.shape(y));
    return [
      needs[0] ? b.unbroadcast(da(b, node, dy), out, b.shape(x)) : undefined,
      needs[1] ? b.unbroadcast(db(b, node, dy), out, b.shape(y)) : undefined,
    ];
  };
}

const unary = <K extends "neg" | "exp" | "sqrt" | "tanh" | "sigmoid" | "erf" | "log" | "gelu">(f: (b: Backward, n: NodeOf<K>, dy: string) => string): Rule<K> =>
  (b, node, [dy], needs) => (dy && needs[0] ? [f(b, node, dy)] : []);

/** d gelu/dx for both forms (see ir.ts), recomputed from x. */
function geluDerivative(b: Backward, node: NodeOf<"gelu">): string {
  const x = node.inputs[0];
  const half = b.scalar(0.5);
  if (node.approximate === "tanh") {
    // y = 0.5·x·(1 + t), t = tanh(c·(x + 0.044715·x³)): y' = 0.5·(1 + t) + 0.5·x·(1 − t²)·c·(1 + 3·0.044715·x²)
    const x2 = b.op("mul", [x, x], {});
    const t = b.op("tanh", [b.op("mul", [b.scalar(SQRT_2_OVER_PI), b.op("add", [x, b.op("mul", [b.scalar(0.044715), b.op("mul", [x2, x], {})], {})], {})], {})], {});
    const left = b.op("mul", [half, b.op("add", [b.scalar(1), t], {})], {});
    const sech2 = b.op("sub", [b.scalar(1), b.op("mul", [t, t], {})], {});
    const inner = b.op("mul", [b.scalar(SQRT_2_OVER_PI), b.op("add", [b.scalar(1), b.op("mul", [b.scalar(3 * 0.044715), x2], {})], {})], {});
    return b.op("add", [left, b.op("mul", [b.op("mul", [half, x], {}), b.op("mul", [sech2, inner], {})], {})], {});
  }
  // y = 0.5·x·(1 + erf(x/√2)): y' = 0.5·(1 + erf(x/√2)) + x·exp(−x²/2)/√(2π)
  const cdf = b.op("mul", [half, b.op("add", [b.scalar(1), b.op("erf", [b.op("mul", [x, b.scalar(Math.SQRT1_2)], {})], {})], {})], {});
  const pdf = b.op("mul", [b.scalar(1 / Math.sqrt(2 * Math.PI)), b.op("exp", [b.op("mul", [b.scalar(-0.5), b.op("mul", [x, x], {})], {})], {})], {});
  return b.op("add", [cdf, b.op("mul", [x, pdf], {})], {});
}

/** where(cond, x, y): the gradient flows to x where cond holds and to y elsewhere. */
const where: Rule<"where"> = (b, node, [dy], needs) => {
  if (!dy) return [];
  const [cond, x, y] = node.inputs;
  const out = broadcastShapes(b.shape(cond), b.shape(x), b.shape(y));
  const zero = b.scalar(0);
  return [
    undefined,
    needs[1] ? b.unbroadcast(b.op("where", [cond, dy, zero], {}), out, b.shape(x)) : undefined,
    needs[2] ? b.unbroadcast(b.op("where", [cond, zero, dy], {}), out, b.shape(y)) : undefined,
  ];
};

export const ELEMENTWISE_RULES: Rules<BinaryOp | "neg" | "exp" | "sqrt" | "tanh" | "sigmoid" | "erf" | "log" | "gelu" | "where" | "and" | "cast"> = {
  add: binary((_b, _n, dy) => dy, (_b, _n, dy) => dy),
  sub: binary((_b, _n, dy) => dy, (b, _n, dy) => b.op("neg", [dy], {})),
  mul: binary((b, n, dy) => b.op("mul", [dy, n.inputs[1]], {}), (b, n, dy) => b.op("mul", [dy, n.inputs[0]], {})),
  // y = a / b: da = dy / b, db = −dy·y / b
  div: binary((b, n, dy) => b.op("div", [dy, n.inputs[1]], {}), (b, n, dy) => b.op("neg", [b.op("div", [b.op("mul", [dy, n.outputs[0]], {}), n.inputs[1]], {})], {})),
  // y = a^b: da = dy·b·a^(b−1), db = dy·y·ln a
  pow: binary(
    (b, n, dy) => b.op("mul", [dy, b.op("mul", [n.inputs[1], b.op("pow", [n.inputs[0], b.op("sub", [n.inputs[1], b.scalar(1)], {})], {})], {})], {}),
    (b, n, dy) => b.op("mul", [dy, b.op("mul", [n.outputs[0], b.op("log", [n.inputs[0]], {})], {})], {}),
  ),
  neg: unary((b, _n, dy) => b.op("neg", [dy], {})),
  exp: unary((b, n, dy) => b.op("mul", [dy, n.outputs[0]], {})),
  sqrt: unary((b, n, dy) => b.op("div", [dy, b.op("mul", [n.outputs[0], b.scalar(2)], {})], {})),
  tanh: unary((b, n, dy) => b.op("mul", [dy, b.op("sub", [b.scalar(1), b.op("mul", [n.outputs[0], n.outputs[0]], {})], {})], {})),
  sigmoid: unary((b, n, dy) => b.op("mul", [dy, b.op("mul", [n.outputs[0], b.op("sub", [b.scalar(1), n.outputs[0]], {})], {})], {})),
  erf: unary((b, n, dy) => {
    const x = n.inputs[0];
    return b.op("mul", [dy, b.op("mul", [b.scalar(2 / Math.sqrt(Math.PI)), b.op("exp", [b.op("neg", [b.op("mul", [x, x], {})], {})], {})], {})], {});
  }),
  log: unary((b, n, dy) => b.op("div", [dy, n.inputs[0]], {})),
  gelu: unary((b, n, dy) => b.op("mul", [dy, geluDerivative(b, n)], {})),
  where,
  and: noGradient,
  // Only a float → float cast passes a gradient; casts from or to integers/bool end the path.
  cast: (b, node, [dy], needs) => (dy && needs[0] && node.to === "float32" ? [dy] : []),
};
