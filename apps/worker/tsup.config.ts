import { defineConfig } from 'tsup';
import { appConfig } from '../../scripts/tsup-app';

export default defineConfig(appConfig({ copy: ['lua'] }));
