"""The scenario: schema, loading, checks and bundled scenarios."""
