import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ValidationError } from '@pulse/core';
import { AssignmentService, type UnitAssignment } from '../assignments/assignment.service';

const MAX_ATTRIBUTES = 64;

@ApiTags('assignments')
@Controller('v1/assignments')
export class AssignmentsController {
  constructor(private readonly assignments: AssignmentService) {}

  @Get(':unit')
  @ApiOperation({
    summary:
      "Every running experiment's variation for the unit, as GrowthBook's SDKs assign it; each exposure is published to experiments.exposures.v1. Query parameters are the unit's attributes for targeting conditions (the unit is each experiment's hash attribute unless one names it).",
  })
  @ApiParam({ name: 'unit', description: 'the unit, e.g. a learner id' })
  async assign(
    @Param('unit') unit: string,
    @Query() query: Record<string, unknown>,
  ): Promise<{ unit: string; assignments: UnitAssignment[] }> {
    const attributes: Record<string, string> = {};
    const entries = Object.entries(query ?? {});
    if (entries.length > MAX_ATTRIBUTES)
      throw new ValidationError(`at most ${MAX_ATTRIBUTES} attributes`, { field: 'query' });
    for (const [name, value] of entries) {
      if (typeof value !== 'string' || value.includes('\u0000'))
        throw new ValidationError(`attribute ${name} must be given once, as text without NUL`, { field: name });
      attributes[name] = value;
    }
    return { unit, assignments: await this.assignments.assignUnit(unit, attributes) };
  }
}
