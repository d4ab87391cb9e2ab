import { HttpStatus, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import bcrypt from 'bcrypt';
import { DomainException } from '../common/domain.exception.js';
import { ErrorCode } from '../common/error-codes.js';
import { AppConfig } from '../config/app-config.js';
import { toUserDto } from '../users/dto/user.dto.js';
import { Role } from '../users/role.enum.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import type { LoginDto, RegisterDto, TokenDto } from './dto/credentials.dto.js';
import type { JwtPayload } from './jwt.strategy.js';

@Injectable()
export class AuthService {
  /** Compared against when the email is unknown, so both failures cost one bcrypt comparison. */
  private dummyHash?: Promise<string>;

  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  async register(role: Role, dto: RegisterDto): Promise<TokenDto> {
    const passwordHash = await bcrypt.hash(dto.password, this.config.bcryptCost);
    const user = await this.users.create({
      email: dto.email,
      passwordHash,
      role,
      displayName: dto.displayName,
    });
    return this.issueToken(user);
  }

  async login(dto: LoginDto): Promise<TokenDto> {
    const user = await this.users.findByEmail(dto.email);
    const hash = user?.passwordHash ?? (await this.getDummyHash());
    const matches = await bcrypt.compare(dto.password, hash);
    if (user === null || !matches) {
      throw new DomainException(
        HttpStatus.UNAUTHORIZED,
        ErrorCode.InvalidCredentials,
        'Invalid email or password',
      );
    }
    return this.issueToken(user);
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= bcrypt.hash('not a real password', this.config.bcryptCost);
    return this.dummyHash;
  }

  private async issueToken(user: User): Promise<TokenDto> {
    const payload: JwtPayload = { sub: user.id, role: user.role };
    return {
      access_token: await this.jwt.signAsync(payload),
      token_type: 'bearer',
      expires_in: this.config.jwt.expiresIn,
      user: toUserDto(user),
    };
  }
}
