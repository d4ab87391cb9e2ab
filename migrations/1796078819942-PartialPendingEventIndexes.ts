import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The pending-event indexes of payment_events cover only events still waiting (a refund or a
 * dispute that arrived before its payment), the only ones ever looked up by them: an event
 * applied at once (nearly all) no longer writes two index entries.
 */
export class PartialPendingEventIndexes1796078819942 implements MigrationInterface {
  name = 'PartialPendingEventIndexes1796078819942';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_payment_events_pending_payment"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_payment_events_pending_purchase"`);
    await queryRunner.query(
      `CREATE INDEX "IDX_payment_events_pending_purchase" ON "payment_events" ("purchase_id") WHERE "processed_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_payment_events_pending_payment" ON "payment_events" ("provider_payment_id") WHERE "processed_at" IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_payment_events_pending_payment"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_payment_events_pending_purchase"`);
    await queryRunner.query(
      `CREATE INDEX "IDX_payment_events_pending_purchase" ON "payment_events" ("purchase_id", "processed_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_payment_events_pending_payment" ON "payment_events" ("provider_payment_id", "processed_at")`,
    );
  }
}
