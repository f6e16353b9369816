import 'reflect-metadata';
import { runPlatform } from '@pulse/platform';

void runPlatform();
