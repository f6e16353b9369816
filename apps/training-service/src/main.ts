import 'reflect-metadata';
import { runTrainingService } from '@pulse/training-service';

void runTrainingService();
