import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Creator payouts through Stripe Connect: each creator's connected account and its status, the
 * platform fee snapshotted on every purchase (and what of it was refunded), and the simulated
 * provider's own records of connected accounts and refunds.
 */
export class AddCreatorPayouts1796059987337 implements MigrationInterface {
  name = 'AddCreatorPayouts1796059987337';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "payout_accounts" (
        "creator_id" uuid NOT NULL,
        "provider" character varying(20) NOT NULL,
        "account_id" character varying(255),
        "charges_enabled" boolean NOT NULL DEFAULT false,
        "payouts_enabled" boolean NOT NULL DEFAULT false,
        "details_submitted" boolean NOT NULL DEFAULT false,
        "requirements_due" jsonb NOT NULL DEFAULT '[]',
        "past_due" jsonb NOT NULL DEFAULT '[]',
        "disabled_reason" character varying(100),
        "synced_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_payout_accounts_account" UNIQUE ("provider", "account_id"),
        CONSTRAINT "PK_payout_accounts" PRIMARY KEY ("creator_id", "provider")
      )`);
    await queryRunner.query(
      `ALTER TABLE "payout_accounts" ADD CONSTRAINT "FK_payout_accounts_creator" FOREIGN KEY ("creator_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );

    await queryRunner.query(`ALTER TABLE "purchases" ADD "fee_cents" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(
      `ALTER TABLE "purchases" ADD "fee_refunded_cents" integer NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(
      `ALTER TABLE "purchases" ADD "transfer_destination" character varying(255)`,
    );
    await queryRunner.query(
      `ALTER TABLE "purchases" ADD CONSTRAINT "CHK_purchases_fee" CHECK ("fee_cents" >= 0 AND "fee_cents" <= "amount_cents")`,
    );
    await queryRunner.query(
      `ALTER TABLE "purchases" ADD CONSTRAINT "CHK_purchases_fee_refunded" CHECK ("fee_refunded_cents" >= 0 AND "fee_refunded_cents" <= "fee_cents")`,
    );
    // The creator figures now read the fee too: the covering index carries it, so they stay
    // index-only scans.
    await queryRunner.query(`DROP INDEX IF EXISTS "public"."IDX_purchases_product_paid_cover"`);
    await queryRunner.query(
      `CREATE INDEX "IDX_purchases_product_paid_cover" ON "purchases" ("product_id", "paid_at", "id") INCLUDE ("amount_cents", "refunded_cents", "fee_cents", "fee_refunded_cents", "currency", "buyer_id")`,
    );

    // No foreign keys: the simulated provider, like Stripe, keeps its own records.
    await queryRunner.query(`
      CREATE TABLE "simulated_connected_accounts" (
        "id" character varying(64) NOT NULL,
        "idempotency_key" character varying(255) NOT NULL,
        "email" character varying(254) NOT NULL,
        "details_submitted" boolean NOT NULL DEFAULT false,
        "charges_enabled" boolean NOT NULL DEFAULT false,
        "payouts_enabled" boolean NOT NULL DEFAULT false,
        "requirements_due" jsonb NOT NULL DEFAULT '[]',
        "disabled_reason" character varying(100),
        "link_id" character varying(64),
        "link_expires_at" TIMESTAMP WITH TIME ZONE,
        "return_url" text,
        "refresh_url" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_simulated_connected_accounts_key" UNIQUE ("idempotency_key"),
        CONSTRAINT "UQ_simulated_connected_accounts_link" UNIQUE ("link_id"),
        CONSTRAINT "PK_simulated_connected_accounts" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`
      CREATE TABLE "simulated_refunds" (
        "id" character varying(64) NOT NULL,
        "payment_id" character varying(64) NOT NULL,
        "idempotency_key" character varying(255) NOT NULL,
        "amount_cents" integer NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_simulated_refunds_key" UNIQUE ("idempotency_key"),
        CONSTRAINT "CHK_simulated_refunds_amount" CHECK ("amount_cents" > 0),
        CONSTRAINT "PK_simulated_refunds" PRIMARY KEY ("id")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "simulated_refunds"`);
    await queryRunner.query(`DROP TABLE "simulated_connected_accounts"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_purchases_product_paid_cover"`);
    await queryRunner.query(
      `CREATE INDEX "IDX_purchases_product_paid_cover" ON "purchases" ("product_id", "paid_at", "id") INCLUDE ("amount_cents", "refunded_cents", "currency", "buyer_id")`,
    );
    await queryRunner.query(`ALTER TABLE "purchases" DROP CONSTRAINT "CHK_purchases_fee_refunded"`);
    await queryRunner.query(`ALTER TABLE "purchases" DROP CONSTRAINT "CHK_purchases_fee"`);
    await queryRunner.query(`ALTER TABLE "purchases" DROP COLUMN "transfer_destination"`);
    await queryRunner.query(`ALTER TABLE "purchases" DROP COLUMN "fee_refunded_cents"`);
    await queryRunner.query(`ALTER TABLE "purchases" DROP COLUMN "fee_cents"`);
    await queryRunner.query(`DROP TABLE "payout_accounts"`);
  }
}
