"""What privacy asks of the data patients leave: retention limits and a person's export or erasure."""
