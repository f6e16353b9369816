import { CreateEventLog1730000000000 } from './create-event-log.migration';

export { CreateEventLog1730000000000 };

/** Every migration, oldest first. Append new ones here. */
export const STORAGE_MIGRATIONS = [CreateEventLog1730000000000];
