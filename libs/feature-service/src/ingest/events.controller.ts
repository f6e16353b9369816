import { Body, Controller, HttpCode, HttpStatus, Inject, Post, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ValidationError } from '@pulse/core';
import { HttpIngestService, type HttpIngestResult } from './http-ingest.service';

export const MAX_EVENTS_PER_REQUEST = 10_000;

/** What the handler sets on the HTTP adapter's response (Fastify's reply; Express's has it too). */
interface StatusResponse {
  status(code: number): unknown;
}

@ApiTags('events')
@Controller('v1/events')
export class EventsController {
  constructor(@Inject(HttpIngestService) private readonly ingest: HttpIngestService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary:
      'Publish engagement events (JSON array). Valid ones join the engagement topic, exactly like events produced to Kafka; invalid ones are reported per event.',
  })
  @ApiBody({ schema: { type: 'array', maxItems: MAX_EVENTS_PER_REQUEST, items: { type: 'object' } } })
  async publish(@Body() body: unknown, @Res({ passthrough: true }) res: StatusResponse): Promise<HttpIngestResult> {
    if (!Array.isArray(body))
      throw new ValidationError('the body must be a JSON array of engagement events', { field: 'body' });
    if (body.length === 0 || body.length > MAX_EVENTS_PER_REQUEST) {
      throw new ValidationError(`the body must hold 1 to ${MAX_EVENTS_PER_REQUEST} events, got ${body.length}`, {
        field: 'body',
      });
    }
    const result = await this.ingest.publish(body);
    // Nothing usable at all is a bad request; a partly bad batch is accepted with per-event errors.
    if (result.accepted === 0) res.status(HttpStatus.BAD_REQUEST);
    return result;
  }
}
