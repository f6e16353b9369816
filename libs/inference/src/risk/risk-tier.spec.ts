import { binaryRiskTier, DEFAULT_RISK_THRESHOLDS } from './binary.risk-tier';
import { multiclassRiskTier } from './multiclass.risk-tier';
import { riskOptionsFor } from './risk-defaults';
import { riskTierRule } from './risk-tier.registry';

const BINARY = ['0', '1'];
const lesson = riskOptionsFor('lesson_completion');
const binary = (pPositive: number, options = lesson) =>
  binaryRiskTier.assess(BINARY, [1 - pPositive, pPositive], options);

describe('binary risk tier', () => {
  it('takes lesson_completion’s risk as not completing: 1 − P(completed)', () => {
    expect(lesson).toEqual({ unwantedClass: '0' });
    expect(binary(0.2)).toEqual({ tier: 'high', confidence: 0.8 });
    expect(binary(0.4)).toEqual({ tier: 'high', confidence: 0.6 });
    expect(binary(0.55)).toEqual({ tier: 'medium', confidence: 0.55 });
    expect(binary(0.7)).toEqual({ tier: 'medium', confidence: 0.7 });
    expect(binary(0.75)).toEqual({ tier: 'low', confidence: 0.75 });
  });

  it('defaults to the positive class as the unwanted outcome with thresholds 0.6 / 0.3', () => {
    expect(DEFAULT_RISK_THRESHOLDS).toEqual({ high: 0.6, medium: 0.3 });
    expect(riskOptionsFor('churn')).toEqual({});
    expect(binary(0.6, {})).toEqual({ tier: 'high', confidence: 0.6 });
    expect(binary(0.3, {})).toEqual({ tier: 'medium', confidence: 0.7 });
    expect(binary(0.1, {})).toEqual({ tier: 'low', confidence: 0.9 });
  });

  it('takes thresholds and the unwanted class per call', () => {
    const options = riskOptionsFor('lesson_completion', { thresholds: { high: 0.9, medium: 0.5 } });
    expect(binary(0.2, options)).toEqual({ tier: 'medium', confidence: 0.8 });
    expect(binary(0.2, riskOptionsFor('lesson_completion', { unwantedClass: '1' }))).toEqual({
      tier: 'low',
      confidence: 0.8,
    });
  });

  it('names a wrong option', () => {
    expect(() => binaryRiskTier.validate(BINARY, { unwantedClass: 'no' })).toThrow(
      /unwantedClass "no" is not one of the classes \(0, 1\)/,
    );
    expect(() => binaryRiskTier.validate(BINARY, { thresholds: { high: 0.2, medium: 0.5 } })).toThrow(
      /thresholds must hold/,
    );
  });
});

describe('multiclass risk tier', () => {
  const classes = ['low', 'medium', 'high'];
  it('is the most probable class, with its probability as the confidence', () => {
    expect(multiclassRiskTier.assess(classes, [0.2, 0.3, 0.5], {})).toEqual({ tier: 'high', confidence: 0.5 });
    expect(multiclassRiskTier.assess(classes, [0.7, 0.2, 0.1], {})).toEqual({ tier: 'low', confidence: 0.7 });
  });

  it('maps other class names through classTiers, and names a class without a tier', () => {
    const churn = ['stays', 'wavers', 'leaves'];
    const classTiers = { stays: 'low', wavers: 'medium', leaves: 'high' } as const;
    expect(multiclassRiskTier.assess(churn, [0.1, 0.6, 0.3], { classTiers })).toEqual({
      tier: 'medium',
      confidence: 0.6,
    });
    expect(() => multiclassRiskTier.validate(churn, {})).toThrow(/classTiers must give class "stays" a tier/);
  });
});

describe('risk-tier registry', () => {
  it('has a rule per classifier task and names a task without one', () => {
    expect([riskTierRule('binary'), riskTierRule('multiclass')]).toEqual([binaryRiskTier, multiclassRiskTier]);
    expect(() => riskTierRule('regression')).toThrow(/task "regression" has no risk-tier rule/);
  });
});
