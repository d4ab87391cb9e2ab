import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Sent and failed outbox messages by age: the worker deletes them after the retention. */
export class AddOutboxRetentionIndex1796068412345 implements MigrationInterface {
  name = 'AddOutboxRetentionIndex1796068412345';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_outbox_done" ON "outbox" ("created_at") WHERE "status" <> 'pending'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_outbox_done"`);
  }
}
