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
import { CheckDto, LivenessDto, ReadinessDto } from './health.dto.js';
import { HealthService } from './health.service.js';
import { NO_DATABASE } from '../swagger.js';

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
  live(): LivenessDto {
    return { status: 'ok' };
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
