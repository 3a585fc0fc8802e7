"""Request and response models of the safety API (parsing and the OpenAPI document), by subject:
incidents and help now (incidents.py), crisis contacts, alerts."""
