import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSimulatedCheckoutSessions1795678165829 implements MigrationInterface {
  name = 'CreateSimulatedCheckoutSessions1795678165829';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TYPE "public"."simulated_checkout_status" AS ENUM('open', 'complete', 'expired')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."simulated_payment_status" AS ENUM('unpaid', 'paid')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."simulated_dispute_status" AS ENUM('open', 'won', 'lost')`,
    );
    // No foreign key to purchases: the simulated provider, like Stripe, keeps its own records.
    await queryRunner.query(`
      CREATE TABLE "simulated_checkout_sessions" (
        "id" character varying(64) NOT NULL,
        "purchase_id" uuid NOT NULL,
        "product_id" uuid NOT NULL,
        "product_title" character varying(200) NOT NULL,
        "amount_cents" integer NOT NULL,
        "currency" character varying(3) NOT NULL,
        "buyer_email" character varying(254) NOT NULL,
        "success_url" text NOT NULL,
        "cancel_url" text NOT NULL,
        "status" "public"."simulated_checkout_status" NOT NULL DEFAULT 'open',
        "payment_status" "public"."simulated_payment_status" NOT NULL DEFAULT 'unpaid',
        "payment_id" character varying(64),
        "amount_refunded_cents" integer NOT NULL DEFAULT '0',
        "dispute_status" "public"."simulated_dispute_status",
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "UQ_simulated_checkout_sessions_payment_id" UNIQUE ("payment_id"),
        CONSTRAINT "CHK_simulated_checkout_sessions_refunded" CHECK ("amount_refunded_cents" >= 0 AND "amount_refunded_cents" <= "amount_cents"),
        CONSTRAINT "CHK_simulated_checkout_sessions_amount" CHECK ("amount_cents" >= 0),
        CONSTRAINT "PK_simulated_checkout_sessions" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "IDX_simulated_checkout_sessions_open_expires" ON "simulated_checkout_sessions" ("expires_at") WHERE "status" = 'open'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "simulated_checkout_sessions"`);
    await queryRunner.query(`DROP TYPE "public"."simulated_dispute_status"`);
    await queryRunner.query(`DROP TYPE "public"."simulated_payment_status"`);
    await queryRunner.query(`DROP TYPE "public"."simulated_checkout_status"`);
  }
}
