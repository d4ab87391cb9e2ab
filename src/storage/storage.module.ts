import { join } from 'node:path';
import { Global, Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { LocalStorageDriver } from './drivers/local.driver.js';
import { FilesController } from './files.controller.js';
import { FilesService } from './files.service.js';
import { STORAGE, type StorageDriver } from './storage.interface.js';

/** The driver chosen by STORAGE_DRIVER. */
export function createStorageDriver(config: AppConfig): StorageDriver {
  switch (config.storage.driver) {
    case 'local':
      return new LocalStorageDriver({
        root: join(config.dataDir, 'storage'),
        publicUrl: config.publicUrl,
        linkSecret: config.storage.linkSecret,
      });
    case 'supabase':
      throw new Error('The supabase storage driver is not available yet');
  }
}

/** Provides STORAGE to every module, and serves the local driver's links at /files/:token. */
@Global()
@Module({
  controllers: [FilesController],
  providers: [
    FilesService,
    { provide: STORAGE, useFactory: createStorageDriver, inject: [AppConfig] },
  ],
  exports: [STORAGE],
})
export class StorageModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('Storage');

  constructor(@Inject(STORAGE) private readonly storage: StorageDriver) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!(this.storage instanceof LocalStorageDriver)) return;
    const removed = await this.storage.removeStaleTempFiles();
    if (removed > 0) this.logger.log(`Removed ${removed} unfinished upload(s) left by a crash`);
  }
}
