import { runService } from '@herald/runtime';
import { loadIngestConfig } from './config.js';
import { startIngest } from './service.js';

runService('ingest', () => loadIngestConfig(), startIngest);
