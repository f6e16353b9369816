import { Body, Controller, Get, Inject, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { TS_INFRASTRUCTURE } from '../app/tokens';
import type { TrainingInfrastructure } from '../infrastructure/training-infrastructure';
import { TrainingRequests } from '../jobs/training-requests';
import { Actor, AdminOnly } from '@pulse/nest-common';
import { parseJobId, parseJobListQuery, parseTrainingJobRequest } from './request-parsing';
import { jobView } from './views';

interface StatusReply {
  status(code: number): { send(body: unknown): unknown };
}

@ApiTags('training jobs')
@Controller('v1/training-jobs')
export class TrainingJobsController {
  constructor(
    private readonly requests: TrainingRequests,
    @Inject(TS_INFRASTRUCTURE) private readonly infra: TrainingInfrastructure,
  ) {}

  @Post()
  @AdminOnly()
  @ApiOperation({
    summary:
      'Queue a training job for a model (202); a requestId seen before returns its job (200) instead of queuing another',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['model'],
      properties: {
        model: { type: 'string', example: 'lesson_completion' },
        from: {
          oneOf: [{ type: 'string', format: 'date-time' }, { type: 'integer' }],
          description: 'earliest trigger time',
        },
        until: {
          oneOf: [{ type: 'string', format: 'date-time' }, { type: 'integer' }],
          description: 'latest trigger time',
        },
        params: {
          type: 'object',
          additionalProperties: { oneOf: [{ type: 'number' }, { type: 'string' }, { type: 'boolean' }] },
        },
        requestId: { type: 'string', description: 'deduplicates the request; default a new id' },
        reason: { type: 'string' },
      },
    },
  })
  @ApiAcceptedResponse({ description: 'queued' })
  @ApiOkResponse({ description: 'the job of a request id seen before' })
  @ApiBadRequestResponse({ description: 'a bad field, named' })
  @ApiNotFoundResponse({ description: 'no model spec of that name' })
  async create(@Body() body: unknown, @Actor() actor: string, @Res() reply: StatusReply): Promise<void> {
    const request = parseTrainingJobRequest(body);
    const { job, created } = await this.requests.submit({
      requestId: request.requestId ?? randomUUID(),
      model: request.model,
      params: request.params,
      fromMs: request.fromMs,
      untilMs: request.untilMs,
      trigger: 'manual',
      reason: request.reason,
      requestedBy: actor,
    });
    reply.status(created ? 202 : 200).send(jobView(job));
  }

  @Get(':id')
  @ApiOperation({ summary: "A job's state (queued, running, succeeded, failed), phase, progress, error and result" })
  @ApiNotFoundResponse({ description: 'no such job' })
  async get(@Param('id') id: string): Promise<Record<string, unknown>> {
    return jobView(await this.infra.registry.getJob(parseJobId(id)));
  }

  @Get()
  @ApiOperation({ summary: 'Jobs, newest first' })
  @ApiQuery({ name: 'model', required: false })
  @ApiQuery({ name: 'state', required: false, enum: ['queued', 'running', 'succeeded', 'failed'] })
  @ApiQuery({ name: 'limit', required: false, description: '1..1000, default 50' })
  async list(
    @Query('model') model?: unknown,
    @Query('state') state?: unknown,
    @Query('limit') limit?: unknown,
  ): Promise<{ jobs: Record<string, unknown>[] }> {
    const query = parseJobListQuery(model, state, limit);
    return { jobs: (await this.infra.registry.listJobs(query)).map(jobView) };
  }
}
