import { CreateEventLog1730000000000 } from './create-event-log.migration';
import { EventLogJsonPayload1795500000000 } from './event-log-json-payload.migration';
import { EventLogEntityKey1795600000000 } from './event-log-entity-key.migration';
import { EventLogEntityEventId1795700000000 } from './event-log-entity-event-id.migration';
import { CreateDeadLetterOutbox1795800000000 } from './dead-letter-outbox.migration';
import { CreateModelRegistry1795900000000 } from './model-registry.migration';
import { CreateExperiments1796000000000 } from './experiments.migration';
import { ModelReferenceProfile1796100000000 } from './model-reference-profile.migration';
import { CreateMonitoring1796200000000 } from './monitoring.migration';

export {
  CreateEventLog1730000000000,
  EventLogJsonPayload1795500000000,
  EventLogEntityKey1795600000000,
  EventLogEntityEventId1795700000000,
  CreateDeadLetterOutbox1795800000000,
  CreateModelRegistry1795900000000,
  CreateExperiments1796000000000,
  ModelReferenceProfile1796100000000,
  CreateMonitoring1796200000000,
};

/** Every migration, oldest first. Append new ones here. */
export const STORAGE_MIGRATIONS = [
  CreateEventLog1730000000000,
  EventLogJsonPayload1795500000000,
  EventLogEntityKey1795600000000,
  EventLogEntityEventId1795700000000,
  CreateDeadLetterOutbox1795800000000,
  CreateModelRegistry1795900000000,
  CreateExperiments1796000000000,
  ModelReferenceProfile1796100000000,
  CreateMonitoring1796200000000,
];
