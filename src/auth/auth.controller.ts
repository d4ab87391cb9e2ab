import { Body, Controller, Get, HttpCode, HttpStatus, Post, Put, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Auth, Public } from '../common/decorators/auth.decorator.js';
import { CurrentSession } from '../common/decorators/current-session.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import { AppConfig } from '../config/app-config.js';
import { toUserDto, UserDto } from '../users/dto/user.dto.js';
import { Role } from '../users/role.enum.js';
import type { User } from '../users/user.entity.js';
import { AccountRecoveryService } from './account-recovery.service.js';
import { AuthService } from './auth.service.js';
import {
  AcceptedDto,
  ForgotPasswordDto,
  ResetPasswordDto,
  VerifyEmailDto,
} from './dto/recovery.dto.js';
import {
  ChangePasswordDto,
  LoginDto,
  RefreshDto,
  RegisterDto,
  TokenDto,
} from './dto/credentials.dto.js';
import { clearRefreshCookie, readRefreshCookie, setRefreshCookie } from './refresh-cookie.js';

const Invalid = ApiBadRequestResponse({
  type: ErrorDto,
  description: 'Invalid body (VALIDATION_FAILED)',
});

const FORGOT_ANSWER = 'If an account exists for this address, a reset link is on its way';

const SETS_COOKIE = {
  'Set-Cookie': {
    description:
      'The refresh token again, as the `refresh_token` cookie (HttpOnly, SameSite=Strict, Secure on https, Path=/refresh)',
    schema: { type: 'string' },
  },
} as const;

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly recovery: AccountRecoveryService,
    private readonly config: AppConfig,
  ) {}

  @Post('register/creator')
  @Public()
  @RateLimit('auth')
  @ApiOperation({ summary: 'Create a creator account and sign in' })
  @ApiCreatedResponse({ type: TokenDto, headers: SETS_COOKIE })
  @ApiConflictResponse({ type: ErrorDto, description: 'Email already registered (EMAIL_TAKEN)' })
  @Invalid
  async registerCreator(
    @Body() dto: RegisterDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenDto> {
    return this.withCookie(res, await this.auth.register(Role.Creator, dto));
  }

  @Post('register/buyer')
  @Public()
  @RateLimit('auth')
  @ApiOperation({ summary: 'Create a buyer account and sign in' })
  @ApiCreatedResponse({ type: TokenDto, headers: SETS_COOKIE })
  @ApiConflictResponse({ type: ErrorDto, description: 'Email already registered (EMAIL_TAKEN)' })
  @Invalid
  async registerBuyer(
    @Body() dto: RegisterDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenDto> {
    return this.withCookie(res, await this.auth.register(Role.Buyer, dto));
  }

  @Post('login')
  @Public()
  @RateLimit('auth')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sign in with email and password' })
  @ApiOkResponse({ type: TokenDto, headers: SETS_COOKIE })
  @ApiUnauthorizedResponse({
    type: ErrorDto,
    description: 'Wrong email or password (INVALID_CREDENTIALS)',
  })
  @Invalid
  async login(@Body() dto: LoginDto, @Res({ passthrough: true }) res: Response): Promise<TokenDto> {
    return this.withCookie(res, await this.auth.login(dto));
  }

  @Post('refresh')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ApiSecurity({})
  @ApiSecurity('refresh_cookie')
  @ApiOperation({
    summary: 'Exchange a refresh token for a new token pair',
    description:
      'Send the refresh token in the body, or let the browser send the `refresh_token` cookie. ' +
      'The token is single-use: the answer carries the next one (and sets the cookie to it). ' +
      'A token that was already used ends its whole session (REFRESH_TOKEN_REUSED).',
  })
  @ApiOkResponse({ type: TokenDto, headers: SETS_COOKIE })
  @ApiUnauthorizedResponse({
    type: ErrorDto,
    description:
      'No refresh token, or an unknown, expired or ended one (REFRESH_TOKEN_INVALID); a token used before: its session has ended (REFRESH_TOKEN_REUSED)',
  })
  @Invalid
  async refresh(
    @Body() dto: RefreshDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenDto> {
    return this.withCookie(
      res,
      await this.auth.refresh(dto.refresh_token ?? readRefreshCookie(req)),
    );
  }

  @Post('logout')
  @Auth()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Sign out: end this session',
    description:
      'Its refresh token and every access token of the session stop working at once; the cookie is cleared.',
  })
  @ApiNoContentResponse({ description: 'Signed out' })
  async logout(
    @CurrentUser() user: User,
    @CurrentSession() sessionId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    await this.auth.logout(user, sessionId);
    clearRefreshCookie(res, this.config);
  }

  @Get('me')
  @Auth()
  @ApiOperation({ summary: 'The signed-in account' })
  @ApiOkResponse({ type: UserDto })
  me(@CurrentUser() user: User): UserDto {
    return toUserDto(user);
  }

  @Put('me/password')
  @Auth()
  @RateLimit(
    'auth',
    'Too many attempts from this client, or too many wrong passwords for this account at sign-in and here together (LOGIN_FAILURES_PER_ACCOUNT) (RATE_LIMITED); Retry-After says when to retry',
  )
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Change the password',
    description: 'Every other session of the account ends; this one stays signed in.',
  })
  @ApiNoContentResponse({ description: 'Changed' })
  @ApiForbiddenResponse({
    type: ErrorDto,
    description: 'The current password is wrong (WRONG_PASSWORD)',
  })
  @Invalid
  changePassword(
    @CurrentUser() user: User,
    @CurrentSession() sessionId: string,
    @Body() dto: ChangePasswordDto,
  ): Promise<void> {
    return this.auth.changePassword(user, sessionId, dto);
  }

  @Post('password/forgot')
  @Public()
  @RateLimit('auth')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Email a password reset link',
    description:
      'The same answer, after the same work, whether or not an account has this address. ' +
      'The link (WEB_URL/reset-password?token=...) works once, for 30 minutes. ' +
      'Limited per client and per address (5 an hour).',
  })
  @ApiAcceptedResponse({ type: AcceptedDto })
  @Invalid
  async forgotPassword(@Body() dto: ForgotPasswordDto): Promise<AcceptedDto> {
    await this.recovery.forgotPassword(dto);
    return { message: FORGOT_ANSWER };
  }

  @Post('password/reset')
  @Public()
  @RateLimit('auth')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Choose a new password with the token of a reset link',
    description: 'Every session of the account ends; sign in with the new password.',
  })
  @ApiNoContentResponse({ description: 'Password changed' })
  @ApiBadRequestResponse({
    type: ErrorDto,
    description:
      'Invalid body (VALIDATION_FAILED); a used, expired or unknown token (TOKEN_INVALID)',
  })
  resetPassword(@Body() dto: ResetPasswordDto): Promise<void> {
    return this.recovery.resetPassword(dto);
  }

  @Post('email/verify')
  @Public()
  @RateLimit('auth')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Confirm the email address with the token of a verification link' })
  @ApiNoContentResponse({ description: 'Confirmed: `emailVerified` is true in GET /me' })
  @ApiBadRequestResponse({
    type: ErrorDto,
    description:
      'Invalid body (VALIDATION_FAILED); a used, expired or unknown token (TOKEN_INVALID)',
  })
  verifyEmail(@Body() dto: VerifyEmailDto): Promise<void> {
    return this.recovery.verifyEmail(dto);
  }

  @Post('email/verify/resend')
  @Auth()
  @RateLimit('auth')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Send the verification email again',
    description: 'Nothing is sent when the address is already confirmed.',
  })
  @ApiAcceptedResponse({ description: 'Queued (or nothing to do)' })
  resendVerification(@CurrentUser() user: User): Promise<void> {
    return this.recovery.resendVerification(user);
  }

  private withCookie(res: Response, tokens: TokenDto): TokenDto {
    setRefreshCookie(res, this.config, tokens.refresh_token, tokens.refresh_expires_in);
    return tokens;
  }
}
