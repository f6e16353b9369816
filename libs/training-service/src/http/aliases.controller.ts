import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { Actor, AdminOnly } from '@pulse/nest-common';
import { ModelCatalog } from './model-catalog';
import { parseAliasDelete, parseAliasMove, parseAliasName, parseModelName, single } from './request-parsing';
import { moveView } from './views';

@ApiTags('aliases')
@Controller('v1/models/:name/aliases')
export class AliasesController {
  constructor(private readonly catalog: ModelCatalog) {}

  @Get()
  @ApiOperation({ summary: "The model's aliases: name -> version" })
  async aliases(@Param('name') name: string): Promise<{ model: string; aliases: Record<string, number> }> {
    const model = parseModelName(name);
    return { model, aliases: await this.catalog.aliases(model) };
  }

  @Get('history')
  @ApiOperation({ summary: 'Every move of the aliases (or of one, ?alias=), oldest first: who, when, from, to, why' })
  @ApiQuery({ name: 'alias', required: false })
  async history(
    @Param('name') name: string,
    @Query('alias') alias?: unknown,
  ): Promise<{ model: string; moves: Record<string, unknown>[] }> {
    const model = parseModelName(name);
    const one = single(alias, 'alias');
    const moves = await this.catalog.history(model, one === undefined ? undefined : parseAliasName(one));
    return { model, moves: moves.map(moveView) };
  }

  @Put(':alias')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({
    summary:
      'Point the alias at a version, atomically, recorded in its history; with expectedVersion (null: absent) only if it still holds that',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['version'],
      properties: {
        version: { type: 'integer', minimum: 1 },
        reason: { type: 'string' },
        expectedVersion: { type: 'integer', nullable: true, minimum: 1 },
      },
    },
  })
  @ApiOkResponse({ description: 'the move (changed false: it pointed there already)' })
  @ApiNotFoundResponse({ description: 'no such model or version' })
  @ApiConflictResponse({ description: 'the alias no longer holds expectedVersion' })
  async move(
    @Param('name') name: string,
    @Param('alias') alias: string,
    @Body() body: unknown,
    @Actor() actor: string,
  ): Promise<Record<string, unknown>> {
    const model = parseModelName(name);
    const target = parseAliasName(alias);
    const request = parseAliasMove(body);
    return moveView(await this.catalog.moveAlias({ model, alias: target, actor, ...request }));
  }

  @Delete(':alias')
  @AdminOnly()
  @ApiOperation({ summary: 'Remove the alias, recorded in its history (reason in the body or ?reason=)' })
  @ApiQuery({ name: 'reason', required: false })
  @ApiOkResponse({ description: 'the move (changed false: there was no such alias)' })
  @ApiConflictResponse({ description: 'the alias no longer holds expectedVersion' })
  async remove(
    @Param('name') name: string,
    @Param('alias') alias: string,
    @Body() body: unknown,
    @Query('reason') reason: unknown,
    @Actor() actor: string,
  ): Promise<Record<string, unknown>> {
    const model = parseModelName(name);
    const target = parseAliasName(alias);
    const request = parseAliasDelete(body, reason);
    return moveView(await this.catalog.moveAlias({ model, alias: target, version: null, actor, ...request }));
  }
}
