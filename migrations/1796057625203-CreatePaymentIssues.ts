import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Payments the provider reported that fulfilment could not apply, kept for an operator. */
export class CreatePaymentIssues1796057625203 implements MigrationInterface {
  name = 'CreatePaymentIssues1796057625203';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TYPE "public"."payment_issue_kind" AS ENUM('duplicate_payment', 'amount_mismatch', 'refund_mismatch', 'unknown_purchase')`,
    );
    await queryRunner.query(
      `CREATE TABLE "payment_issues" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "provider" character varying(20) NOT NULL, "kind" "public"."payment_issue_kind" NOT NULL, "reference" character varying(255) NOT NULL, "purchase_id" uuid, "provider_payment_id" character varying(255), "amount_cents" integer, "currency" character varying(3), "detail" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "resolved_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_payment_issues_reference" UNIQUE ("provider", "kind", "reference"), CONSTRAINT "PK_payment_issues" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_payment_issues_open" ON "payment_issues" ("created_at") WHERE "resolved_at" IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_payment_issues_open"`);
    await queryRunner.query(`DROP TABLE "payment_issues"`);
    await queryRunner.query(`DROP TYPE "public"."payment_issue_kind"`);
  }
}
