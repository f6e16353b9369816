import 'reflect-metadata';
import { runFeatureService } from '@pulse/feature-service';

void runFeatureService();
