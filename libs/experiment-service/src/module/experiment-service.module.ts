import { Module, type DynamicModule } from '@nestjs/common';
import { AdminGuard, HealthModule, LoggingModule, MetricsModule } from '@pulse/nest-common';
import { XS_INFRASTRUCTURE, XS_OPTIONS } from '../app/tokens';
import { AssignmentService } from '../assignments/assignment.service';
import { ChangeRelay } from '../catalog/change-relay.service';
import { ExperimentCatalog } from '../catalog/experiment-catalog.service';
import { AssignmentsController } from '../http/assignments.controller';
import { ExperimentsController } from '../http/experiments.controller';
import type { ExperimentInfrastructure } from '../infrastructure/experiment-infrastructure';
import { ExperimentInfrastructureModule } from '../infrastructure/experiment-infrastructure.module';
import { ExposureConsumer } from '../kafka/exposure-consumer';
import { ResultsService } from '../results/results.service';
import type { ExperimentServiceModuleOptions } from './experiment-service.options';

/**
 * experiment-service: experiments (validated, versioned definitions announced on
 * experiments.changes.v1), assignments as GrowthBook's SDKs make them with exposures on
 * experiments.exposures.v1, each unit's first exposure recorded from that topic, and results.
 */
@Module({})
export class ExperimentServiceModule {
  static register(options: ExperimentServiceModuleOptions): DynamicModule {
    return {
      module: ExperimentServiceModule,
      imports: [
        LoggingModule.forRoot({ name: 'experiment-service', requestLogs: options.logger !== false }),
        ExperimentInfrastructureModule.register({ provide: XS_OPTIONS, useValue: options }),
        MetricsModule.registerAsync({
          inject: [XS_OPTIONS],
          useFactory: (o: ExperimentServiceModuleOptions) => ({ registry: o.registry }),
        }),
        HealthModule.registerAsync({
          inject: [XS_INFRASTRUCTURE],
          useFactory: (infra: ExperimentInfrastructure) => ({
            postgres: infra.dataSource,
            ...(infra.embedded.bus ? {} : { kafka: () => infra.bus.ping() }),
          }),
        }),
      ],
      controllers: [ExperimentsController, AssignmentsController],
      providers: [ChangeRelay, ExperimentCatalog, AssignmentService, ExposureConsumer, ResultsService, AdminGuard],
    };
  }
}
