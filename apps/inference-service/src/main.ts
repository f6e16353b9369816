import 'reflect-metadata';
import { runInferenceService } from '@pulse/inference-service';

void runInferenceService();
