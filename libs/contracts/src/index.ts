export * from './engagement-event/engagement-event';
export * from './topics/topics';
