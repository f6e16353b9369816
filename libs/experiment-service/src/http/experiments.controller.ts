import { Body, Controller, Get, Header, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { LEARNING_METRICS } from '@pulse/experiments';
import { Actor, AdminOnly } from '@pulse/nest-common';
import type { StoredExperiment } from '@pulse/storage';
import { ExperimentCatalog } from '../catalog/experiment-catalog.service';
import { renderResultsHtml } from '../results/results-html';
import { ResultsService } from '../results/results.service';
import type { ExperimentResultsJson } from '../results/results.types';
import { parseAlpha, parseAsOf, parseExpectedVersion, parseKey, single } from './request-parsing';

const DEFINITION_SCHEMA = {
  type: 'object',
  required: ['key', 'variations'],
  description:
    'GrowthBook-shaped: key, variations, weights, coverage, hashAttribute, hashVersion (1|2), seed, namespace [id, start, end], condition, meta, filters; plus status (draft|running|stopped), startAt, endAt, metrics, and model for a model experiment (variations "champion" | "challenger" | "rule").',
  additionalProperties: true,
};
const RESULT_QUERIES = [
  ApiQuery({ name: 'correction', required: false, enum: ['none', 'holm', 'bh'], description: 'default holm' }),
  ApiQuery({ name: 'alpha', required: false, description: 'default 0.05' }),
  ApiQuery({ name: 'asOf', required: false, description: 'ISO 8601 instant; default now (or the end)' }),
];

@ApiTags('experiments')
@Controller('v1')
export class ExperimentsController {
  constructor(
    private readonly catalog: ExperimentCatalog,
    private readonly results: ResultsService,
  ) {}

  @Get('experiments')
  @ApiOperation({ summary: 'Every experiment with its current definition' })
  async list(): Promise<{ experiments: StoredExperiment[] }> {
    return { experiments: await this.catalog.list() };
  }

  @Post('experiments')
  @AdminOnly()
  @ApiOperation({ summary: 'Create an experiment (status draft unless given); validated, versioned, announced' })
  @ApiBody({ schema: DEFINITION_SCHEMA })
  @ApiCreatedResponse({ description: 'the stored experiment, version 1' })
  @ApiConflictResponse({ description: 'the key exists' })
  create(@Body() body: unknown, @Actor() actor: string): Promise<StoredExperiment> {
    return this.catalog.create(body, actor);
  }

  @Get('experiments/:key')
  @ApiNotFoundResponse({ description: 'no such experiment' })
  get(@Param('key') key: string): Promise<StoredExperiment> {
    return this.catalog.get(parseKey(key));
  }

  @Put('experiments/:key')
  @AdminOnly()
  @ApiOperation({ summary: 'Replace the definition (the next version); with ?expectedVersion only if still at it' })
  @ApiBody({ schema: DEFINITION_SCHEMA })
  @ApiQuery({ name: 'expectedVersion', required: false })
  @ApiConflictResponse({ description: 'not at expectedVersion' })
  replace(
    @Param('key') key: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @Query('expectedVersion') expected?: unknown,
  ): Promise<StoredExperiment> {
    return this.catalog.replace(parseKey(key), body, actor, parseExpectedVersion(expected));
  }

  @Post('experiments/:key/start')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({ summary: 'draft → running' })
  start(@Param('key') key: string, @Actor() actor: string, @Query('expectedVersion') expected?: unknown) {
    return this.catalog.setStatus(parseKey(key), 'running', actor, parseExpectedVersion(expected));
  }

  @Post('experiments/:key/stop')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({ summary: 'running (or draft) → stopped; final' })
  stop(@Param('key') key: string, @Actor() actor: string, @Query('expectedVersion') expected?: unknown) {
    return this.catalog.setStatus(parseKey(key), 'stopped', actor, parseExpectedVersion(expected));
  }

  @Get('experiments/:key/versions')
  @ApiOperation({ summary: 'Every version of the definition: who changed it and when' })
  async versions(@Param('key') key: string) {
    return { key, versions: await this.catalog.versions(parseKey(key)) };
  }

  @Get('experiments/:key/results')
  @ApiOperation({
    summary:
      'Results: SRM, and per metric each variant against the control — lift with CIs (relative by the delta method), z-test or Welch, CUPED, always-valid sequential p-values and intervals, corrected across variants and metrics',
  })
  @(RESULT_QUERIES[0])
  @(RESULT_QUERIES[1])
  @(RESULT_QUERIES[2])
  @ApiOkResponse({ description: 'the results (JSON; non-finite numbers are null)' })
  resultsJson(
    @Param('key') key: string,
    @Query('correction') correction?: unknown,
    @Query('alpha') alpha?: unknown,
    @Query('asOf') asOf?: unknown,
  ): Promise<ExperimentResultsJson> {
    return this.compute(key, correction, alpha, asOf);
  }

  @Get('experiments/:key/results.html')
  @Header('content-type', 'text/html; charset=utf-8')
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'The results as an HTML page with interval plots' })
  @(RESULT_QUERIES[0])
  @(RESULT_QUERIES[1])
  @(RESULT_QUERIES[2])
  async resultsHtml(
    @Param('key') key: string,
    @Query('correction') correction?: unknown,
    @Query('alpha') alpha?: unknown,
    @Query('asOf') asOf?: unknown,
  ): Promise<string> {
    return renderResultsHtml(await this.compute(key, correction, alpha, asOf));
  }

  @Get('metrics')
  @ApiOperation({ summary: 'The metrics experiments may analyse' })
  metrics() {
    return { metrics: [...LEARNING_METRICS.values()] };
  }

  private compute(key: string, correction: unknown, alpha: unknown, asOf: unknown): Promise<ExperimentResultsJson> {
    const c = single(correction, 'correction');
    const a = parseAlpha(alpha);
    const t = parseAsOf(asOf);
    return this.results.results(parseKey(key), {
      ...(c === undefined ? {} : { correction: c }),
      ...(a === undefined ? {} : { alpha: a }),
      ...(t === undefined ? {} : { asOfMs: t }),
    });
  }
}
