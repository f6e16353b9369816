import type { AttributeType, FeatureFields, FeatureValueType } from '../definition/feature-view.types';

/** A value of the field itself: a string field's strings (unless mapped to numbers), else numbers. */
export function fieldValueType(field: AttributeType | undefined, f: FeatureFields): FeatureValueType {
  return field === 'string' && f.map === undefined ? 'string' : 'number';
}
