// Test helpers: Kafka mock cluster (kcat), waitFor polling, random names
