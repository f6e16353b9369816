import { EXPERIMENT_SERVICE } from '@pulse/experiment-service';
import { FEATURE_SERVICE } from '@pulse/feature-service';
import { INFERENCE_SERVICE } from '@pulse/inference-service';
import { MONITORING_SERVICE } from '@pulse/monitoring-service';
import type { HostedService } from '@pulse/nest-common';
import { TRAINING_SERVICE } from '@pulse/training-service';

/**
 * The services the platform hosts, started in this order and closed in reverse. A service joins by
 * exporting its HostedService (name, port 3002…3005, how to make its app) and being listed here.
 */
export const HOSTED_SERVICES: readonly HostedService[] = [
  FEATURE_SERVICE,
  TRAINING_SERVICE,
  INFERENCE_SERVICE,
  EXPERIMENT_SERVICE,
  MONITORING_SERVICE,
];
