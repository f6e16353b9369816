import { Controller, Get, Header, Param, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { ModelCatalog, type ModelEntry } from './model-catalog';
import { parseArtifactFormat, parseModelName, parseVersionParam } from './request-parsing';
import { versionDetailView, versionSummaryView } from './views';

interface HeaderReply {
  header(name: string, value: string): unknown;
}

/** The header carrying an artifact's SHA-256 (hex), computed at registration and checked on this read. */
export const CONTENT_SHA256_HEADER = 'X-Content-SHA256';

@ApiTags('models')
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly catalog: ModelCatalog) {}

  @Get()
  @ApiOperation({ summary: 'Every declared model, trained or not: task, spec version, latest version, aliases' })
  async models(): Promise<{ models: ModelEntry[] }> {
    return { models: await this.catalog.models() };
  }

  @Get(':name/versions')
  @ApiOperation({ summary: "A model's versions, newest first: metrics, gate verdict, aliases" })
  @ApiNotFoundResponse({ description: 'neither declared nor registered' })
  async versions(@Param('name') name: string): Promise<{ model: string; versions: Record<string, unknown>[] }> {
    const model = parseModelName(name);
    const [versions, aliases] = await Promise.all([this.catalog.versions(model), this.catalog.aliasesByVersion(model)]);
    return { model, versions: versions.map((v) => versionSummaryView(v, aliases.get(v.version) ?? [])) };
  }

  @Get(':name/versions/:version')
  @ApiOperation({ summary: 'One version: metrics, gates, signature, lineage, artifact digests, evaluation' })
  @ApiNotFoundResponse({ description: 'no such model or version' })
  async version(@Param('name') name: string, @Param('version') v: string): Promise<Record<string, unknown>> {
    const model = parseModelName(name);
    const record = await this.catalog.version(model, parseVersionParam(v));
    const aliases = await this.catalog.aliasesByVersion(model);
    return versionDetailView(record, aliases.get(record.version) ?? []);
  }

  @Get(':name/versions/:version/report')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @ApiProduces('text/html')
  @ApiOperation({ summary: "The version's training report: a self-contained HTML page" })
  @ApiNotFoundResponse({ description: 'no such model or version' })
  async report(@Param('name') name: string, @Param('version') v: string): Promise<string> {
    return this.catalog.report(parseModelName(name), parseVersionParam(v));
  }

  @Get(':name/versions/:version/artifact')
  @ApiProduces('application/octet-stream', 'application/json')
  @ApiQuery({ name: 'format', required: false, enum: ['onnx', 'json'], description: 'default onnx' })
  @ApiOperation({ summary: `The ONNX model or the engine's JSON model, with its SHA-256 in ${CONTENT_SHA256_HEADER}` })
  @ApiOkResponse({ description: 'the artifact bytes' })
  @ApiBadRequestResponse({ description: 'a format other than onnx or json' })
  @ApiNotFoundResponse({ description: 'no such model or version' })
  async artifact(
    @Param('name') name: string,
    @Param('version') v: string,
    @Query('format') format: unknown,
    @Res({ passthrough: true }) reply: HeaderReply,
  ): Promise<Buffer> {
    const model = parseModelName(name);
    const version = parseVersionParam(v);
    const kind = parseArtifactFormat(format);
    const artifact = await this.catalog.artifact(model, version, kind);
    reply.header('Content-Type', artifact.contentType);
    reply.header(CONTENT_SHA256_HEADER, artifact.sha256);
    reply.header('Content-Disposition', `attachment; filename="${model}-v${version}.${kind}"`);
    return artifact.bytes;
  }
}
