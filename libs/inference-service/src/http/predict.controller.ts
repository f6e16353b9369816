import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ValidationError } from '@pulse/core';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { PredictionMessage } from '@pulse/contracts';
import { IS_CONFIG } from '../app/tokens';
import type { InferenceServiceConfig } from '../config/inference-service.config';
import { ModelServer, SERVED_ALIASES } from '../serving/model-server.service';
import { Predictor } from '../serving/predictor.service';
import { JsonBodyGuard } from './json-body.guard';
import { parseBatchRequest, parsePredictRequest } from './predict-request';

const PREDICT_EXAMPLE = {
  entityId: 'learner-0001',
  context: { channel: 'email', content_id: 'beginner-lesson-12' },
  at: '2026-09-01T12:00:00Z',
};

@ApiTags('predictions')
@Controller('v1')
export class PredictController {
  constructor(
    private readonly predictor: Predictor,
    private readonly models: ModelServer,
    @Inject(IS_CONFIG) private readonly config: InferenceServiceConfig,
  ) {}

  @Get('models')
  @ApiOperation({
    summary: 'The models served here: for each alias, the version it serves (none: the fallback answers)',
  })
  served(): { models: { model: string; trigger: string; aliases: Record<string, number | null> }[] } {
    return {
      models: [...this.models.compiled].map(([model, compiled]) => ({
        model,
        trigger: compiled.spec.trigger.kind === 'event' ? compiled.spec.trigger.eventType : compiled.spec.trigger.kind,
        aliases: Object.fromEntries(SERVED_ALIASES.map((a) => [a, this.models.table.get(model, a)?.version ?? null])),
      })),
    };
  }

  @Post('predict/:model')
  @UseGuards(JsonBodyGuard)
  @HttpCode(200)
  @ApiOperation({
    summary:
      "One entity's prediction as of `at` (default now): features read online, the trigger's context in its event field names (missing fields as the model spec documents)",
  })
  @ApiBody({ schema: { example: PREDICT_EXAMPLE } })
  @ApiOkResponse({ description: 'The prediction, as published on predictions.<model>.v1' })
  @ApiBadRequestResponse({ description: 'a field is wrong: the answer names it' })
  @ApiNotFoundResponse({ description: 'no such model is served' })
  async predict(
    @Param('model') model: string,
    @Body() body: unknown,
    @Query('explain') explain?: string | string[],
  ): Promise<PredictionMessage> {
    const received = performance.now();
    this.predictor.compiledOf(model);
    return this.predictor.predict(model, parsePredictRequest(body), received, parseExplain(explain));
  }

  @Post('predict/:model/batch')
  @UseGuards(JsonBodyGuard)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Up to INFERENCE_BATCH_MAX (10,000) rows: `{"rows": [{entityId, context?, at?}, …], "context"?, "at"?}`',
  })
  @ApiBody({
    schema: { example: { rows: [PREDICT_EXAMPLE, { entityId: 'learner-0002' }], context: { channel: 'web' } } },
  })
  @ApiBadRequestResponse({ description: 'a field is wrong: the answer names it (e.g. rows[3].entityId)' })
  @ApiNotFoundResponse({ description: 'no such model is served' })
  async batch(@Param('model') model: string, @Body() body: unknown): Promise<{ predictions: PredictionMessage[] }> {
    this.predictor.compiledOf(model);
    const rows = parseBatchRequest(body, this.config.batchMax);
    return { predictions: await this.predictor.predictBatch(model, rows) };
  }
}

/** `?explain=k`: this request's TreeSHAP factors (0..20), overriding INFERENCE_TOP_FACTORS. */
function parseExplain(value: string | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,2}$/.test(value) || Number(value) > 20)
    throw new ValidationError('explain must be a whole number of factors, 0..20', { field: 'explain' });
  return Number(value);
}
