// Message bus: Kafka (kafkajs) and in-process implementations with the same semantics
