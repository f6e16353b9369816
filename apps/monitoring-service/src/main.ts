import 'reflect-metadata';
import { runMonitoringService } from '@pulse/monitoring-service';

void runMonitoringService();
