import { dropoutRiskFallback } from './dropout-risk.fallback';
import type { FallbackRule } from './fallback.types';
import { lessonCompletionFallback } from './lesson-completion.fallback';

/** Rule-based fallbacks by model name. */
export const FALLBACK_RULES: Readonly<Record<string, FallbackRule>> = Object.freeze({
  [lessonCompletionFallback.model]: lessonCompletionFallback,
  [dropoutRiskFallback.model]: dropoutRiskFallback,
});

/** The model's fallback rule, or undefined when it has none (see priorFallback). */
export function fallbackFor(modelName: string): FallbackRule | undefined {
  return Object.hasOwn(FALLBACK_RULES, modelName) ? FALLBACK_RULES[modelName] : undefined;
}
