import { Controller, Get, Res } from '@nestjs/common';
import {
  ApiExtension,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/decorators/auth.decorator.js';
import { SerializedJson, sendSerialized } from '../common/serialized-json.js';
import { CheckDto, LivenessDto, ReadinessDto } from './health.dto.js';
import { HealthService } from './health.service.js';
import { NO_DATABASE } from '../swagger.js';

// Probes come every few seconds from every balancer: the answer never changes, so its text and
// ETag are made once.
const LIVE = SerializedJson.of({ status: 'ok' } satisfies LivenessDto);

@ApiTags('health')
@ApiExtraModels(CheckDto)
@Controller('health')
@Public()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process is up', security: [] })
  @ApiOkResponse({ type: LivenessDto })
  @ApiExtension(NO_DATABASE, true)
  live(@Res() res: Response): void {
    sendSerialized(res, LIVE);
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database and storage answer', security: [] })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({ type: ReadinessDto, description: 'A dependency is down' })
  async ready(@Res({ passthrough: true }) res: Response): Promise<ReadinessDto> {
    const result = await this.health.readiness();
    if (result.status !== 'ok') res.status(503);
    return result;
  }
}
