// Baseline: the floor NestJS on Express sets, one route returning these bytes and nothing else.
import 'reflect-metadata';
import { Controller, Get, Header, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';

const body = Buffer.from(process.env.BENCH_BODY_BASE64 ?? '', 'base64').toString('utf8');
const contentType = process.env.BENCH_CONTENT_TYPE ?? 'application/octet-stream';
const path = (process.env.BENCH_PATH ?? '/').replace(/^\//, '');

@Controller()
class FixedController {
  @Get(path)
  @Header('Content-Type', contentType)
  answer(): string {
    return body;
  }
}

@Module({ controllers: [FixedController] })
class FixedModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(FixedModule, { logger: false });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
}

void main();
