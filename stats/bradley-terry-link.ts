/**
 * The Bradley-Terry link: P(i beats j) = σ(θ_i − θ_j). One stable implementation of σ and of
 * softplus(x) = log(1 + e^x) = −log σ(−x), shared by the leaderboard fit and the reward models.
 */

/** Logistic function; exp(−x) overflows to Infinity for x < −709, giving the correct limit 0. */
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** log(1 + e^x) without overflow for large x or loss of precision for very negative x. */
export const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
