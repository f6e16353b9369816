import 'reflect-metadata';
import { runExperimentService } from '@pulse/experiment-service';

void runExperimentService();
