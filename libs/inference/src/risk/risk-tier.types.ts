import type { RiskTier } from '@pulse/contracts';

/** The risk at or above which a binary model's tier is high, and medium. */
export interface RiskThresholds {
  readonly high: number;
  readonly medium: number;
}

/** How a model's probabilities become a risk tier; every field has a default (see risk-defaults.ts). */
export interface RiskOptions {
  /** Binary: the class whose probability is the risk (the unwanted outcome). Default: the positive class. */
  readonly unwantedClass?: string;
  /** Binary: default high ≥ 0.6, medium ≥ 0.3, else low. */
  readonly thresholds?: RiskThresholds;
  /** Multiclass: the tier each class asserts. Default: classes named high, medium and low stand for themselves. */
  readonly classTiers?: Readonly<Record<string, RiskTier>>;
}

export interface RiskAssessment {
  readonly tier: RiskTier;
  /** The probability of the outcome the tier asserts, in [0, 1]. */
  readonly confidence: number;
}

/**
 * One task kind's mapping from class probabilities to a tier (a small module in its own file, listed
 * in RISK_TIER_RULES). `probabilities` holds one value per class, in `classes` order.
 */
export interface RiskTierRule {
  readonly task: string;
  readonly description: string;
  /** Throws a RangeError naming the option when the classes and options cannot give a tier. */
  validate(classes: readonly string[], options: RiskOptions): void;
  assess(classes: readonly string[], probabilities: ArrayLike<number>, options: RiskOptions): RiskAssessment;
}
