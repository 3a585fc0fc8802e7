"""The reminder engine (DESIGN.md): planning outbox rows, timing (quiet hours, contact windows),
dispatch passes and their leases, reconciling unknown sends, attempt outcomes, per-gateway daily
limits, the gateways themselves (the only modules that import a provider's client), the dispatch
settings, and the account-level pause shared by every dispatcher (`pause`, its own table)."""
