/** Every topic name of the platform, in one place, versioned. */
export const Topics = {
  engagementEvents: 'engagement.events.v1',
  engagementEventsDlq: 'engagement.events.dlq.v1',
  trainingRequests: 'training.requests.v1',
  /** Training requests training-service could not take (undecodable, unknown model), with the reason. */
  trainingRequestsDlq: 'training.requests.dlq.v1',
  modelsLifecycle: 'models.lifecycle.v1',
  experimentsExposures: 'experiments.exposures.v1',
  /** Exposure records experiment-service could not read, with the reason. */
  experimentsExposuresDlq: 'experiments.exposures.dlq.v1',
  /** Every experiment's definition after each change (JSON, keyed by experiment key): services assign locally from it. */
  experimentsChanges: 'experiments.changes.v1',
  monitoringAlerts: 'monitoring.alerts.v1',
  /** One prediction topic per model. */
  predictions: (model: string): string => `predictions.${model}.v1`,
} as const;
