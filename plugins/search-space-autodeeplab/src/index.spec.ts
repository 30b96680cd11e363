import * as path from 'node:path';
import { describePluginPackage } from '@nasx/testing';
import plugin from './index';

describePluginPackage(path.resolve(__dirname, '..'), plugin);
