/**
 * Limited-memory BFGS (Nocedal & Wright 2006, Algorithm 7.4, two-loop recursion) with Armijo
 * backtracking. Enough for smooth convex objectives such as the linear reward model's L2-
 * regularised logistic loss: deterministic, no learning rate to tune, full batch.
 */

/** Writes the gradient at x into `gradient` and returns the objective value. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface LbfgsOptions {
  /** Curvature pairs kept; 10 is the usual trade of memory for convergence speed. */
  memory?: number;
  /** Iteration cap; convex problems of this size converge within a few hundred. */
  maxIterations?: number;
  /** Stop when the largest gradient component falls below this. */
  gradientTolerance?: number;
  /** Stop when an iteration improves the objective by less than this, relatively. */
  relativeTolerance?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
}

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const maxAbs = (a: Float64Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** Two-loop recursion: direction = −H·g from the stored (s, y) pairs, newest last. */
function searchDirection(g: Float64Array, s: Float64Array[], y: Float64Array[]): Float64Array {
  const q = Float64Array.from(g);
  const alpha = new Float64Array(s.length);
  for (let k = s.length - 1; k >= 0; k--) {
    alpha[k] = dot(s[k], q) / dot(y[k], s[k]);
    for (let i = 0; i < q.length; i++) q[i] -= alpha[k] * y[k][i];
  }
  const last = s.length - 1;
  const gamma = last >= 0 ? dot(s[last], y[last]) / dot(y[last], y[last]) : 1 / Math.max(1, maxAbs(g));
  for (let i = 0; i < q.length; i++) q[i] *= gamma;
  for (let k = 0; k < s.length; k++) {
    const beta = dot(y[k], q) / dot(y[k], s[k]);
    for (let i = 0; i < q.length; i++) q[i] += s[k][i] * (alpha[k] - beta);
  }
  for (let i = 0; i < q.length; i++) q[i] = -q[i];
  return q;
}

/** Minimises `objective` from x0. */
export function minimizeLbfgs(objective: Objective, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const { memory = 10, maxIterations = 300, gradientTolerance = 1e-6, relativeTolerance = 1e-10 } = options;
  let x = Float64Array.from(x0);
  let g = new Float64Array(x.length);
  let value = objective(x, g);
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    if (maxAbs(g) < gradientTolerance) return { x, value, iterations: iteration - 1 };
    const direction = searchDirection(g, s, y);
    const slope = dot(g, direction);
    const nextG = new Float64Array(x.length);
    let step = 1;
    let nextX = x.map((v, i) => v + step * direction[i]);
    let nextValue = objective(nextX, nextG);
    while (nextValue > value + 1e-4 * step * slope && step > 1e-12) {
      step /= 2; // Armijo: sufficient decrease or halve
      nextX = x.map((v, i) => v + step * direction[i]);
      nextValue = objective(nextX, nextG);
    }
    const sk = nextX.map((v, i) => v - x[i]);
    const yk = nextG.map((v, i) => v - g[i]);
    if (dot(sk, yk) > 1e-12) {
      s.push(sk);
      y.push(yk);
      if (s.length > memory) s.shift(), y.shift();
    }
    const improvement = value - nextValue;
    [x, g, value] = [nextX, nextG, nextValue];
    if (improvement <= relativeTolerance * Math.max(1, Math.abs(value))) return { x, value, iterations: iteration };
  }
  return { x, value, iterations: maxIterations };
}
