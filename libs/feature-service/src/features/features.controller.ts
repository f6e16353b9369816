import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { MAX_ID_LENGTH } from '@pulse/contracts';
import {
  AT_DESCRIPTION,
  BatchResponseWriter,
  checkEntityId,
  describeViews,
  FeatureReader,
  MAX_BATCH_ENTITIES,
  parseAt,
  parseBatchRequest,
  parseViews,
  ResponseBuffers,
  singleQueryValue,
  type EntityFeatures,
  type FeatureViewDescription,
} from '@pulse/features';

/** What the batch handler needs of the platform's reply: the Node response, to know when it is sent. */
interface SentResponse {
  readonly raw: { once(event: 'finish', listener: () => void): unknown };
}

class BatchFeaturesRequest {
  entityIds!: string[];
  at?: string | number | null;
  views?: string[];
}

@ApiTags('features')
@Controller('v1')
export class FeaturesController {
  private readonly buffers = new ResponseBuffers();

  constructor(private readonly reads: FeatureReader) {}

  @Get('features/:entityId')
  @ApiOperation({ summary: "An entity's feature values as of a time (default now), with view versions and freshness" })
  @ApiQuery({ name: 'at', required: false, description: AT_DESCRIPTION })
  @ApiQuery({
    name: 'view',
    required: false,
    description: 'view name; repeat or comma-separate for several; default all',
  })
  // Encoded here and sent as a Buffer (an EntityFeatures as JSON): the framework's serialisation of
  // the object took three copies of the answer (string, flattened string, socket buffer) per read.
  @Header('Content-Type', 'application/json')
  async one(
    @Param('entityId') entityId: string,
    @Query('at') at?: string | string[],
    @Query('view') view?: string | string[],
  ): Promise<Buffer> {
    const id = checkEntityId(entityId, 'entityId');
    const atMs = parseAt(singleQueryValue(at, 'at'), 'at');
    const [result] = await this.reads.read(
      [id],
      atMs,
      this.reads.viewNames(parseViews(view), () => 'view'),
    );
    return Buffer.from(JSON.stringify(result satisfies EntityFeatures));
  }

  @Post('features/batch')
  @HttpCode(200)
  // The answer is a BatchFeaturesResponse already encoded (see BatchResponseWriter): Fastify sends a
  // Buffer as it is, under this type (without a charset: JSON is UTF-8, and Nest's 400 answers expect
  // exactly this type).
  @Header('Content-Type', 'application/json')
  @ApiOperation({
    summary: `Feature values of up to ${MAX_BATCH_ENTITIES} entities as of one time, columnar: feature names once per view, positional values and freshness per entity`,
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['entityIds'],
      properties: {
        entityIds: {
          type: 'array',
          items: { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH },
          minItems: 1,
          maxItems: MAX_BATCH_ENTITIES,
        },
        at: { oneOf: [{ type: 'string' }, { type: 'integer' }], description: AT_DESCRIPTION },
        views: { type: 'array', items: { type: 'string' } },
      },
    },
  })
  async batch(@Body() body: BatchFeaturesRequest, @Res({ passthrough: true }) reply: SentResponse): Promise<Buffer> {
    const request = parseBatchRequest(body);
    const { entityIds, atMs } = request;
    const views = this.reads.viewNames(request.views, (i) => `views[${i}]`);
    const out = new BatchResponseWriter(this.buffers.take());
    const read = await this.reads.readColumns(entityIds, atMs, views, (r, end) => out.write(r, end));
    const answer = out.finish(read);
    this.reads.recycle(read);
    // 'finish': the whole answer is with the operating system, so its buffer may be written again
    // (an aborted answer's buffer is left to the GC: the socket may still hold it)
    reply.raw.once('finish', () => this.buffers.give(out.buffer));
    // Fastify's body parser leaves every POST's request reachable from old space until the next full
    // collection (Node 20's AsyncResource#bind gives a per-request function a prototype: a new V8 map,
    // which only a full collection frees), so each young collection copies, then promotes, all the
    // requests since: 1.2 of 1.4 MB per collection during batch reads were these ids. Answered, the
    // parsed body no longer holds them.
    (body as { entityIds?: unknown }).entityIds = undefined;
    return answer;
  }

  @Get('feature-views')
  @ApiOperation({ summary: 'The registered feature views: names, versions, sources and features' })
  @ApiOkResponse({ description: 'views' })
  views(): { views: FeatureViewDescription[] } {
    return { views: describeViews(this.reads.registryViews()) };
  }
}
