import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { JwtAuthGuard } from '../common/guards/jwt-auth.guard.js';
import { AppConfig } from '../config/app-config.js';
import { UsersModule } from '../users/users.module.js';
import { MailModule } from '../mail/mail.module.js';
import { AccountRecoveryService } from './account-recovery.service.js';
import { AccountTokensService } from './account-tokens.service.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { JwtStrategy } from './jwt.strategy.js';
import { SessionsService } from './sessions/sessions.service.js';

@Module({
  imports: [
    UsersModule,
    MailModule,
    PassportModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // A KeyObject, made once, as in JwtStrategy: given the string, jsonwebtoken first tries
        // to parse it as a PEM private key on every sign (an exception inside OpenSSL), which
        // cost a sign-in or a refresh more CPU than the rest of its token work.
        secret: createSecretKey(Buffer.from(config.jwt.secret, 'utf8')) as unknown as Buffer,
        signOptions: { algorithm: 'HS256', expiresIn: config.jwt.expiresIn },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController],
  exports: [SessionsService],
  providers: [
    AuthService,
    SessionsService,
    AccountTokensService,
    AccountRecoveryService,
    JwtStrategy,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
})
export class AuthModule {}
