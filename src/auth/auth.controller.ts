import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Auth, Public } from '../common/decorators/auth.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import { toUserDto, UserDto } from '../users/dto/user.dto.js';
import { Role } from '../users/role.enum.js';
import type { User } from '../users/user.entity.js';
import { AuthService } from './auth.service.js';
import { LoginDto, RegisterDto, TokenDto } from './dto/credentials.dto.js';

const Invalid = ApiBadRequestResponse({
  type: ErrorDto,
  description: 'Invalid body (VALIDATION_FAILED)',
});

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register/creator')
  @Public()
  @RateLimit('auth')
  @ApiOperation({ summary: 'Create a creator account and sign in' })
  @ApiCreatedResponse({ type: TokenDto })
  @ApiConflictResponse({ type: ErrorDto, description: 'Email already registered (EMAIL_TAKEN)' })
  @Invalid
  registerCreator(@Body() dto: RegisterDto): Promise<TokenDto> {
    return this.auth.register(Role.Creator, dto);
  }

  @Post('register/buyer')
  @Public()
  @RateLimit('auth')
  @ApiOperation({ summary: 'Create a buyer account and sign in' })
  @ApiCreatedResponse({ type: TokenDto })
  @ApiConflictResponse({ type: ErrorDto, description: 'Email already registered (EMAIL_TAKEN)' })
  @Invalid
  registerBuyer(@Body() dto: RegisterDto): Promise<TokenDto> {
    return this.auth.register(Role.Buyer, dto);
  }

  @Post('login')
  @Public()
  @RateLimit('auth')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sign in with email and password' })
  @ApiOkResponse({ type: TokenDto })
  @ApiUnauthorizedResponse({
    type: ErrorDto,
    description: 'Wrong email or password (INVALID_CREDENTIALS)',
  })
  @Invalid
  login(@Body() dto: LoginDto): Promise<TokenDto> {
    return this.auth.login(dto);
  }

  @Get('me')
  @Auth()
  @ApiOperation({ summary: 'The signed-in account' })
  @ApiOkResponse({ type: UserDto })
  me(@CurrentUser() user: User): UserDto {
    return toUserDto(user);
  }
}
