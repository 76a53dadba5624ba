/**
 * Maximum-likelihood Bradley-Terry strengths, two independent ways: Newton's method on the
 * log-likelihood (fast, quadratic; what the leaderboard uses) and Zermelo's MM iteration
 * (Hunter 2004; slow but derivative-free: the cross-check in tests).
 *
 * Model: P(i beats j) = σ(θ_i − θ_j); ties count half a win each way.
 * Prior: every policy also gets `priorWins` wins and as many losses against a virtual reference
 * of strength 0. This keeps estimates finite for undefeated (or winless) policies and for
 * disconnected comparison graphs, costs nothing with real data volumes (0.1 game against
 * thousands), and is a likelihood of the same form, so MM and Newton optimise the same function.
 * With priorWins = 0 the plain MLE is fitted, pinned by θ_anchor = 0 (exists only when the graph
 * is strongly connected).
 */
import type { PairTable } from "./bradley-terry-data";
import { sigmoid, softplus } from "./bradley-terry-link";

export interface FitOptions {
  /** Virtual wins (and losses) against a strength-0 reference; keeps every estimate finite. */
  priorWins?: number;
  /** Policy pinned at θ = 0 when priorWins is 0 (the likelihood alone fixes only differences). */
  anchor?: number;
  /** Stop when no log-strength moves more than this in one iteration. */
  tolerance?: number;
  /** Give up (converged: false) after this many iterations. */
  maxIterations?: number;
  /** Starting log-strengths: the full-data fit makes each bootstrap fit a few Newton steps. */
  initial?: Float64Array;
}

export interface FitResult {
  theta: Float64Array; // [policies] log-strengths
  iterations: number;
  converged: boolean;
}

export const DEFAULT_PRIOR_WINS = 0.1;


/** Log-likelihood of the pair table plus the virtual-reference games. */
export function logLikelihood(table: PairTable, theta: Float64Array, priorWins = DEFAULT_PRIOR_WINS): number {
  let total = 0;
  for (let p = 0; p < table.games.length; p++) {
    const d = theta[table.pairFirst[p]] - theta[table.pairSecond[p]];
    // w·log σ(d) + (n − w)·log σ(−d)
    total -= table.winsFirst[p] * softplus(-d) + (table.games[p] - table.winsFirst[p]) * softplus(d);
  }
  for (let i = 0; i < theta.length; i++) total -= priorWins * (softplus(-theta[i]) + softplus(theta[i]));
  return total;
}

/** Gradient of the log-likelihood and the Hessian of its negative (dense, row-major). */
export function gradientAndHessian(table: PairTable, theta: Float64Array, priorWins: number) {
  const n = theta.length;
  const gradient = new Float64Array(n);
  const hessian = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const s = sigmoid(theta[i]);
    gradient[i] = priorWins * (1 - 2 * s);
    hessian[i * n + i] = 2 * priorWins * s * (1 - s);
  }
  for (let p = 0; p < table.games.length; p++) {
    const i = table.pairFirst[p];
    const j = table.pairSecond[p];
    const games = table.games[p];
    const prob = sigmoid(theta[i] - theta[j]);
    const residual = table.winsFirst[p] - games * prob;
    const info = games * prob * (1 - prob);
    gradient[i] += residual;
    gradient[j] -= residual;
    hessian[i * n + i] += info;
    hessian[j * n + j] += info;
    hessian[i * n + j] -= info;
    hessian[j * n + i] -= info;
  }
  return { gradient, hessian };
}

/** Solves H x = g for symmetric positive definite H by Cholesky; throws if H is singular. */
export function solveSpd(hessian: Float64Array, g: Float64Array): Float64Array {
  const n = g.length;
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = hessian[i * n + j];
      for (let k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(sum > 1e-300)) throw new Error("Bradley-Terry: singular information matrix (disconnected comparisons with priorWins = 0?)");
        l[i * n + i] = Math.sqrt(sum);
      } else l[i * n + j] = sum / l[j * n + j];
    }
  }
  const x = Float64Array.from(g);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) x[i] -= l[i * n + k] * x[k];
    x[i] /= l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) x[i] -= l[k * n + i] * x[k];
    x[i] /= l[i * n + i];
  }
  return x;
}

/** Pins θ_anchor: its row and column become the identity and its gradient zero. */
function pinAnchor(gradient: Float64Array, hessian: Float64Array, anchor: number): void {
  const n = gradient.length;
  for (let k = 0; k < n; k++) hessian[anchor * n + k] = hessian[k * n + anchor] = 0;
  hessian[anchor * n + anchor] = 1;
  gradient[anchor] = 0;
}

/** Newton's method with step halving, so that every step increases the likelihood. */
export function fitNewton(table: PairTable, policyCount: number, options: FitOptions = {}): FitResult {
  const priorWins = options.priorWins ?? DEFAULT_PRIOR_WINS;
  const tolerance = options.tolerance ?? 1e-10;
  const maxIterations = options.maxIterations ?? 100;
  const theta = options.initial ? Float64Array.from(options.initial) : new Float64Array(policyCount);
  let current = logLikelihood(table, theta, priorWins);
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const { gradient, hessian } = gradientAndHessian(table, theta, priorWins);
    if (priorWins === 0) pinAnchor(gradient, hessian, options.anchor ?? 0);
    const step = solveSpd(hessian, gradient);
    let scale = 1;
    let trial = theta.map((t, i) => t + step[i]);
    let next = logLikelihood(table, trial, priorWins);
    while (next < current - 1e-12 * Math.abs(current) && scale > 1e-6) {
      scale /= 2;
      trial = theta.map((t, i) => t + scale * step[i]);
      next = logLikelihood(table, trial, priorWins);
    }
    const moved = step.reduce((m, s) => Math.max(m, Math.abs(scale * s)), 0);
    theta.set(trial);
    current = next;
    if (moved < tolerance) return { theta, iterations: iteration, converged: true };
  }
  return { theta, iterations: maxIterations, converged: false };
}
