// Experiments: definitions, GrowthBook-compatible assignment and the statistics of their results
