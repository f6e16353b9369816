// Model quality metrics: AUC, logloss, calibration, ranking metrics and more
export type { Numbers } from './guards';
export * from './probability';
export * from './classification';
export * from './regression';
export * from './ranking';
