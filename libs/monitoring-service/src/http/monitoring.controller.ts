import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ValidationError } from '@pulse/core';
import type { StoredAlert } from '@pulse/storage';
import { Inject } from '@nestjs/common';
import { MS_CONFIG, MS_INFRASTRUCTURE } from '../app/tokens';
import type { MonitoringServiceConfig } from '../config/monitoring-service.config';
import { WindowEvaluator, type ModelMonitoringView } from '../evaluation/window-evaluator';
import type { MonitoringInfrastructure } from '../infrastructure/monitoring-infrastructure';

@ApiTags('monitoring')
@Controller('v1')
export class MonitoringController {
  constructor(
    private readonly evaluator: WindowEvaluator,
    @Inject(MS_CONFIG) private readonly config: MonitoringServiceConfig,
    @Inject(MS_INFRASTRUCTURE) private readonly infra: MonitoringInfrastructure,
  ) {}

  @Get('monitoring/:model')
  @ApiOperation({
    summary:
      "The model's newest closed and current window per size: drift per feature and of the score against the serving version's training reference (PSI, KS, chi-square, JS, Wasserstein, the deciding test), realised quality on matured labels (AUC, logloss, accuracy, calibration, fairness gaps), the CBPE estimate, fallback share",
  })
  @ApiNotFoundResponse({ description: 'the model is not watched' })
  async model(@Param('model') model: string): Promise<ModelMonitoringView> {
    if (!this.config.models.includes(model))
      throw new NotFoundException({
        statusCode: 404,
        error: 'Not Found',
        message: `model "${model}" is not watched (watched: ${this.config.models.join(', ')})`,
        field: 'model',
      });
    return this.evaluator.view(model);
  }

  @Get('alerts')
  @ApiOperation({ summary: 'Alerts (every rule and key that ever fired), newest first; ?firing=true for open ones' })
  @ApiQuery({ name: 'firing', required: false, enum: ['true', 'false'] })
  async alerts(@Query('firing') firing?: unknown): Promise<{ alerts: StoredAlert[] }> {
    if (firing !== undefined && firing !== 'true' && firing !== 'false')
      throw new ValidationError(`firing must be true or false, got ${JSON.stringify(firing)}`, { field: 'firing' });
    return {
      alerts: await this.infra.monitoring.alerts(firing === undefined ? {} : { firing: firing === 'true' }),
    };
  }
}
