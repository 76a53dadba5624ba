import { describe, expect, it } from "vitest";
import { minimizeLbfgs } from "./lbfgs";

describe("minimizeLbfgs", () => {
  it("solves an ill-conditioned quadratic ½ Σ c_i (x_i − t_i)² to its known minimum", () => {
    const c = [1, 10, 100, 1000, 0.1];
    const t = [1, -2, 3, 0.5, -1];
    const result = minimizeLbfgs((x, g) => {
      let f = 0;
      x.forEach((v, i) => {
        f += 0.5 * c[i] * (v - t[i]) ** 2;
        g[i] = c[i] * (v - t[i]);
      });
      return f;
    }, new Float64Array(5), { gradientTolerance: 1e-10, relativeTolerance: 0 });
    result.x.forEach((v, i) => expect(v).toBeCloseTo(t[i], 8));
  });

  it("finds the Rosenbrock minimum at (1, 1)", () => {
    const result = minimizeLbfgs((x, g) => {
      const [a, b] = [x[0], x[1]];
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      g[1] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    }, Float64Array.from([-1.2, 1]), { maxIterations: 500, gradientTolerance: 1e-9, relativeTolerance: 0 });
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
  });
});
