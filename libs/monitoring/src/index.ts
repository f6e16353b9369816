// Monitoring: windows, live quality and its label-free estimate, alert rules with hysteresis and cooldown
export { parseWindowSize, windowLabel, windowStart } from './windows/tumbling-window';
export { estimatedAuc } from './quality/cbpe';
export {
  windowEstimatedAuc,
  windowQuality,
  type FairnessGap,
  type JoinedRow,
  type WindowQuality,
} from './quality/window-quality';
export {
  DEFAULT_ALERT_RULE_OPTIONS,
  RETRAINING_KINDS,
  type AlertKind,
  type AlertObservation,
  type AlertRule,
  type AlertRuleOptions,
  type FeatureDrift,
  type WindowSnapshot,
} from './alerts/alert.types';
export { ALERT_RULES } from './alerts/alert-rule.registry';
export { INITIAL_ALERT_STATE, nextAlertState, type AlertState, type AlertTransition } from './alerts/alert-state';
export {
  CALIBRATION_SIGMAS,
  isSignificantDrift,
  PSI_MAJOR_SHIFT,
  significantPsiThreshold,
  type DriftCalibration,
  type PsiSpread,
} from './drift/drift-significance';
