// The training pipeline: point-in-time examples, time split, checks, fitting, evaluation, gates and the report
export * from './evaluate/evaluation.types';
export * from './errors/training.errors';
export * from './examples/example-set';
export * from './examples/entity-groups';
export * from './examples/build-examples';
export * from './split/time-split';
export * from './checks/validate-training-set';
export * from './fit/fit-model';
export * from './evaluate/curves';
export * from './evaluate/fairness';
export * from './evaluate/baseline';
export * from './evaluate/evaluate-model';
export * from './gates/evaluate-gates';
export * from './sources/event-file.source';
export * from './sources/oracle-file.source';
export * from './pipeline/train-model';
export * from './report/training-report.html';
