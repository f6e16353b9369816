// prom-client registry helpers and structured logging
