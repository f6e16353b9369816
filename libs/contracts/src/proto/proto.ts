// The generated protobuf-es schemas and message types (libs/contracts/src/gen, from proto/pulse/v1),
// re-exported as one namespace (`pulsev1`) so their names (Channel, Profile, ...) do not clash with
// the validated TypeScript shapes of this library.
export * from '../gen/pulse/v1/engagement_event_pb';
export * from '../gen/pulse/v1/dead_letter_pb';
export * from '../gen/pulse/v1/training_request_pb';
export * from '../gen/pulse/v1/model_lifecycle_pb';
export * from '../gen/pulse/v1/prediction_pb';
export * from '../gen/pulse/v1/experiment_exposure_pb';
export * from '../gen/pulse/v1/monitoring_alert_pb';
