import type { ModelSpec } from '../spec/model-spec.types';
import { dropoutRiskModel } from './dropout-risk.model';
import { lessonCompletionModel } from './lesson-completion.model';

/** The learning-engagement use case's models, by name. */
export const DEFAULT_MODELS: Readonly<Record<string, ModelSpec>> = Object.freeze({
  [lessonCompletionModel.name]: lessonCompletionModel,
  [dropoutRiskModel.name]: dropoutRiskModel,
});

export { dropoutRiskModel, lessonCompletionModel };
