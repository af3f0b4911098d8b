"""What reaches past one host: Prometheus exporter, fleet reader, plugin output."""
