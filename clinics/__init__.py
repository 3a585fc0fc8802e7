"""The clinic directory: services, clinics, opening hours, community feedback."""
