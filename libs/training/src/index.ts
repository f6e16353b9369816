// The training pipeline: point-in-time examples, time split, checks, fitting, evaluation, gates and the report
export * from './evaluate/evaluation.types';
export * from './report/training-report.html';
