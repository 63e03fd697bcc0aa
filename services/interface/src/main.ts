import { runService } from '@herald/runtime';
import { loadInterfaceConfig } from './config.js';
import { startInterface } from './service.js';

runService('interface', () => loadInterfaceConfig(), startInterface);
