// CartPole-v1 as Gymnasium defines it (Barto, Sutton & Anderson 1983): a pole hinged on a cart,
// pushed left or right by a fixed force, Euler-integrated every 20 ms. Reward 1 for every step,
// the terminating one included; the episode terminates when the cart leaves ±2.4 or the pole
// leans past 12°, and is truncated (a time limit, not a failure) after 500 steps. Here to prove
// preflab's PPO core on a task whose solved score is known, not for the product itself.
import { createRng, type Rng } from "../../stats/random";

export const CARTPOLE = {
  gravity: 9.8,
  massCart: 1.0,
  massPole: 0.1,
  /** Half the pole's length, as Gymnasium's `length`. */
  halfLength: 0.5,
  forceMag: 10.0,
  /** Seconds between state updates. */
  tau: 0.02,
  xThreshold: 2.4,
  /** 12° in radians (Gymnasium: 12 * 2π / 360). */
  thetaThreshold: (12 * 2 * Math.PI) / 360,
  /** Gymnasium's TimeLimit for v1. */
  maxSteps: 500,
  /** Every state variable starts uniform in ±this. */
  initBound: 0.05,
} as const;

/** [x, ẋ, θ, θ̇]: cart position (m), velocity, pole angle from vertical (rad), angular velocity. */
export type CartPoleState = [number, number, number, number];

/** 0 pushes the cart left, 1 pushes it right. */
export type CartPoleAction = 0 | 1;

export interface CartPoleStep {
  observation: CartPoleState;
  reward: number;
  /** The pole fell or the cart left the track: the true end, nothing to bootstrap from. */
  terminated: boolean;
  /** The 500-step limit: the state is still alive, its value is not zero. */
  truncated: boolean;
}

/** One step of the equations of motion (Gymnasium's `step`, "euler" integrator), pure. */
export function cartPoleDynamics(state: CartPoleState, action: CartPoleAction): CartPoleState {
  const { gravity, massCart, massPole, halfLength, forceMag, tau } = CARTPOLE;
  const [x, xDot, theta, thetaDot] = state;
  const totalMass = massCart + massPole;
  const poleMassLength = massPole * halfLength;
  const force = action === 1 ? forceMag : -forceMag;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const temp = (force + poleMassLength * thetaDot * thetaDot * sin) / totalMass;
  const thetaAcc = (gravity * sin - cos * temp) / (halfLength * (4 / 3 - (massPole * cos * cos) / totalMass));
  const xAcc = temp - (poleMassLength * thetaAcc * cos) / totalMass;
  return [x + tau * xDot, xDot + tau * xAcc, theta + tau * thetaDot, thetaDot + tau * thetaAcc];
}

/** A seeded CartPole-v1 episode runner: reset, then step until terminated or truncated. */
export class CartPole {
  private readonly rng: Rng;
  private state: CartPoleState = [0, 0, 0, 0];
  private steps = 0;
  private done = true;

  constructor(seed: number) {
    this.rng = createRng(seed);
  }

  /** Starts an episode from a state uniform in ±0.05 (drawn from this env's own stream). */
  reset(): CartPoleState {
    const b = CARTPOLE.initBound;
    this.state = [0, 0, 0, 0].map(() => -b + 2 * b * this.rng()) as CartPoleState;
    this.steps = 0;
    this.done = false;
    return [...this.state];
  }

  step(action: CartPoleAction): CartPoleStep {
    if (this.done) throw new Error("CartPole.step after the episode ended: call reset() first");
    this.state = cartPoleDynamics(this.state, action);
    this.steps += 1;
    const [x, , theta] = this.state;
    const terminated = Math.abs(x) > CARTPOLE.xThreshold || Math.abs(theta) > CARTPOLE.thetaThreshold;
    // Gymnasium's TimeLimit reports truncation even on a step that also terminates.
    const truncated = this.steps >= CARTPOLE.maxSteps;
    this.done = terminated || truncated;
    return { observation: [...this.state], reward: 1, terminated, truncated };
  }
}
