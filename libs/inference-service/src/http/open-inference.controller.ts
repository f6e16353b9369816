import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ValidationError } from '@pulse/core';
import type { ServableModel, ServingLease } from '@pulse/inference';
import { IS_CONFIG } from '../app/tokens';
import type { InferenceServiceConfig } from '../config/inference-service.config';
import { ModelServer, SERVED_ALIASES } from '../serving/model-server.service';
import { JsonBodyGuard } from './json-body.guard';
import { parseV2InferRequest, type V2Tensor } from './v2-protocol';

const PLATFORM = 'onnxruntime_onnx';

/** One output (`variable`) for a regressor or ranker, `label` and `probabilities` for a classifier. */
function isRegressor(model: ServableModel): boolean {
  return model.task === 'regression' || model.task === 'ranking';
}

function outputNames(model: ServableModel): readonly string[] {
  return isRegressor(model) ? ['variable'] : ['label', 'probabilities'];
}

/** A V2 error: the protocol's `{"error": "..."}` body (and the field, where one is wrong). */
function v2Error(status: number, error: string, field?: string): HttpException {
  return new HttpException({ error, ...(field ? { field } : {}) }, status);
}

/**
 * The Open Inference Protocol (KServe V2) over REST, for clients that speak it: raw input tensors in
 * the model's signature order, no feature reads. `/v2/models/{name}` is the champion; a version number
 * addresses any version served here under an alias.
 */
@ApiTags('open inference protocol (v2)')
@Controller('v2')
export class OpenInferenceController {
  constructor(
    private readonly models: ModelServer,
    @Inject(IS_CONFIG) private readonly config: InferenceServiceConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Server metadata' })
  server(): { name: string; version: string; extensions: string[] } {
    return { name: 'pulse-inference', version: '1', extensions: [] };
  }

  @Get('health/live')
  @ApiOperation({ summary: 'Server live' })
  live(): { live: boolean } {
    return { live: true };
  }

  @Get('health/ready')
  @ApiOperation({ summary: 'Server ready: every served model answers (a champion, or its rule-based fallback)' })
  ready(): { ready: boolean } {
    return { ready: true };
  }

  @Get('models/:name')
  @ApiOperation({ summary: "Model metadata (the champion's)" })
  metadata(@Param('name') name: string): Record<string, unknown> {
    return this.describe(this.servable(name));
  }

  @Get('models/:name/versions/:version')
  @ApiOperation({ summary: 'Model version metadata' })
  versionMetadata(@Param('name') name: string, @Param('version') version: string): Record<string, unknown> {
    return this.describe(this.servable(name, version));
  }

  @Get('models/:name/ready')
  @ApiOperation({ summary: 'Model ready: a champion version serves' })
  modelReady(@Param('name') name: string): { name: string; ready: boolean } {
    if (!this.models.compiled.has(name)) throw v2Error(HttpStatus.NOT_FOUND, `no model named "${name}" is served here`);
    return { name, ready: this.models.table.get(name, 'champion') !== undefined };
  }

  @Post('models/:name/infer')
  @UseGuards(JsonBodyGuard)
  @HttpCode(200)
  @ApiOperation({ summary: 'Inference on raw input rows (FP32 [N, F], the signature order)' })
  infer(@Param('name') name: string, @Body() body: unknown): Promise<Record<string, unknown>> {
    return this.run(name, undefined, body);
  }

  @Post('models/:name/versions/:version/infer')
  @UseGuards(JsonBodyGuard)
  @HttpCode(200)
  @ApiOperation({ summary: 'Inference on one served version' })
  inferVersion(
    @Param('name') name: string,
    @Param('version') version: string,
    @Body() body: unknown,
  ): Promise<Record<string, unknown>> {
    return this.run(name, version, body);
  }

  private async run(name: string, version: string | undefined, body: unknown): Promise<Record<string, unknown>> {
    // Held for the whole request: a swap meanwhile closes the old session only after it is released.
    const lease = this.lease(name, version);
    try {
      const model = lease.servable;
      let request;
      try {
        request = parseV2InferRequest(
          body,
          model.signature.inputName,
          model.numFeatures,
          this.config.batchMax,
          outputNames(model),
        );
      } catch (err) {
        // Only a refusal of the request is a 400: anything else is the server's failure, answered so.
        if (!(err instanceof ValidationError)) throw err;
        throw v2Error(HttpStatus.BAD_REQUEST, err.message, err.field);
      }
      const scores = await model.score(request.rows, request.n);
      const outputs = this.outputs(model, scores, request.n).filter(
        (o) => request.outputs === undefined || request.outputs.includes(o.name),
      );
      return {
        model_name: name,
        model_version: String(model.version),
        ...(request.id !== undefined ? { id: request.id } : {}),
        outputs,
      };
    } finally {
      lease.release();
    }
  }

  private outputs(model: ServableModel, scores: Float32Array, n: number): V2Tensor[] {
    if (isRegressor(model)) return [{ name: 'variable', datatype: 'FP32', shape: [n, 1], data: Array.from(scores) }];
    const classes = model.classes.length;
    const probabilities: number[] = new Array(n * classes);
    const labels: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      if (model.task === 'binary') {
        probabilities[i * 2] = 1 - scores[i];
        probabilities[i * 2 + 1] = scores[i];
        labels[i] = scores[i] > 0.5 ? 1 : 0;
      } else {
        let best = 0;
        for (let c = 0; c < classes; c++) {
          probabilities[i * classes + c] = scores[i * classes + c];
          if (scores[i * classes + c] > scores[i * classes + best]) best = c;
        }
        labels[i] = best;
      }
    }
    return [
      { name: 'label', datatype: 'INT64', shape: [n], data: labels },
      { name: 'probabilities', datatype: 'FP32', shape: [n, classes], data: probabilities },
    ];
  }

  private describe(model: ServableModel): Record<string, unknown> {
    const classes = model.classes.length;
    return {
      name: model.model,
      versions: [...new Set([...this.models.table.aliases(model.model).values()].map((s) => String(s.version)))],
      platform: PLATFORM,
      inputs: [{ name: model.signature.inputName, datatype: 'FP32', shape: [-1, model.numFeatures] }],
      outputs: isRegressor(model)
        ? [{ name: 'variable', datatype: 'FP32', shape: [-1, 1] }]
        : [
            { name: 'label', datatype: 'INT64', shape: [-1] },
            { name: 'probabilities', datatype: 'FP32', shape: [-1, classes] },
          ],
      parameters: { version: model.version, feature_names: model.featureNames, classes: model.classes },
    };
  }

  /** A lease on the champion, or on the alias serving version `version`; 404 otherwise. */
  private lease(name: string, version?: string): ServingLease {
    const servable = this.servable(name, version);
    for (const alias of SERVED_ALIASES) {
      if (this.models.table.get(name, alias) !== servable) continue;
      const lease = this.models.table.acquire(name, alias);
      if (lease?.servable === servable) return lease;
      lease?.release();
    }
    // Swapped out between the lookup and the lease: ask again (the next lookup sees the new state).
    return this.lease(name, version);
  }

  /** The champion, or the served version numbered `version`; 404 otherwise. */
  private servable(name: string, version?: string): ServableModel {
    if (!this.models.compiled.has(name)) throw v2Error(HttpStatus.NOT_FOUND, `no model named "${name}" is served here`);
    if (version === undefined) {
      const champion = this.models.table.get(name, 'champion');
      if (!champion) throw v2Error(HttpStatus.NOT_FOUND, `model "${name}" has no champion version loaded`);
      return champion;
    }
    if (!/^[1-9][0-9]{0,8}$/.test(version))
      throw v2Error(
        HttpStatus.BAD_REQUEST,
        `version must be a positive integer, got "${version.slice(0, 32)}"`,
        'version',
      );
    for (const alias of SERVED_ALIASES) {
      const s = this.models.table.get(name, alias);
      if (s?.version === Number(version)) return s;
    }
    throw v2Error(HttpStatus.NOT_FOUND, `model "${name}" version ${version} is not served here`);
  }
}
