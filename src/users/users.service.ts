import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DomainException } from '../common/domain.exception.js';
import { ErrorCode } from '../common/error-codes.js';
import { isUniqueViolation } from '../database/postgres-errors.js';
import { Role } from './role.enum.js';
import { User } from './user.entity.js';

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email: normalizeEmail(email) });
  }

  async create(input: {
    email: string;
    passwordHash: string;
    role: Role;
    displayName?: string;
  }): Promise<User> {
    const email = normalizeEmail(input.email);
    try {
      return await this.users.save(
        this.users.create({
          email,
          passwordHash: input.passwordHash,
          role: input.role,
          displayName: input.displayName?.trim() || email.split('@')[0],
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error, 'UQ_users_email')) {
        throw new DomainException(
          HttpStatus.CONFLICT,
          ErrorCode.EmailTaken,
          'An account with this email already exists',
        );
      }
      throw error;
    }
  }
}
