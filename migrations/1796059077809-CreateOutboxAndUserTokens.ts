import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOutboxAndUserTokens1796059077809 implements MigrationInterface {
  name = 'CreateOutboxAndUserTokens1796059077809';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "email_verified_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `CREATE TYPE "public"."user_token_purpose" AS ENUM('verify_email', 'reset_password')`,
    );
    await queryRunner.query(`
      CREATE TABLE "user_tokens" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "user_id" uuid NOT NULL,
        "purpose" "public"."user_token_purpose" NOT NULL,
        "token_hash" character varying(64) NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "used_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_user_tokens_hash" UNIQUE ("token_hash"),
        CONSTRAINT "PK_user_tokens" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_user_tokens_user" ON "user_tokens" ("user_id")`);
    await queryRunner.query(
      `ALTER TABLE "user_tokens" ADD CONSTRAINT "FK_user_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."outbox_status" AS ENUM('pending', 'sent', 'failed')`,
    );
    await queryRunner.query(`
      CREATE TABLE "outbox" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "cause_key" character varying(200) NOT NULL,
        "recipient" character varying(254) NOT NULL,
        "subject" character varying(300) NOT NULL,
        "text_body" text,
        "html_body" text,
        "status" "public"."outbox_status" NOT NULL DEFAULT 'pending',
        "attempts" integer NOT NULL DEFAULT 0,
        "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "last_error" character varying(500),
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "sent_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "UQ_outbox_cause" UNIQUE ("cause_key"),
        CONSTRAINT "PK_outbox" PRIMARY KEY ("id")
      )`);
    // The worker's claim: due messages only, oldest first.
    await queryRunner.query(
      `CREATE INDEX "IDX_outbox_due" ON "outbox" ("next_attempt_at") WHERE "status" = 'pending'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "outbox"`);
    await queryRunner.query(`DROP TYPE "public"."outbox_status"`);
    await queryRunner.query(`DROP TABLE "user_tokens"`);
    await queryRunner.query(`DROP TYPE "public"."user_token_purpose"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "email_verified_at"`);
  }
}
