import { join } from 'node:path';
import { Inject, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config.js';
import { STORAGE } from '../storage/storage.interface.js';
import { CreatorUploadsController } from './creator-uploads.controller.js';
import { LocalTusStore } from './stores/local-tus.store.js';
import { TusController } from './tus.controller.js';
import { UploadSession } from './upload-session.entity.js';
import { UPLOAD_STORE, type UploadStore } from './upload-store.interface.js';
import { UploadsCleanupService } from './uploads-cleanup.service.js';
import { UploadsService } from './uploads.service.js';

/** The resumable-upload store that goes with STORAGE_DRIVER. */
export async function createUploadStore(config: AppConfig): Promise<UploadStore> {
  switch (config.storage.driver) {
    case 'local':
      return new LocalTusStore({
        storageRoot: join(config.dataDir, 'storage'),
        metaDir: join(config.dataDir, 'uploads'),
        publicUrl: config.publicUrl,
        corsOrigins: config.corsOrigins,
      });
    case 'supabase': {
      // Loaded only when chosen, like the storage driver.
      const { SupabaseTusStore } = await import('./stores/supabase-tus.store.js');
      return new SupabaseTusStore({
        ...config.storage.supabase!,
        maxUploadBytes: config.storage.maxUploadBytes,
        allowedExtensions: config.storage.allowedExtensions,
      });
    }
  }
}

/** Resumable uploads: sessions, the local tus server, and the clean-up of what is left. */
@Module({
  imports: [TypeOrmModule.forFeature([UploadSession])],
  controllers: [CreatorUploadsController, TusController],
  providers: [
    UploadsService,
    UploadsCleanupService,
    // After STORAGE: both load supabase-js on demand, and two concurrent first imports of it
    // fail under Jest's ESM loader ("request for './tracingRegistry.mjs' is not in cache").
    { provide: UPLOAD_STORE, useFactory: createUploadStore, inject: [AppConfig, STORAGE] },
  ],
  exports: [UploadsService],
})
export class UploadsModule implements OnApplicationBootstrap {
  constructor(@Inject(UPLOAD_STORE) private readonly store: UploadStore) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.store.prepare?.();
  }
}
