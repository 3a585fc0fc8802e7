"""The safety rules: incidents (incidents.py), help now (help.py), crisis contacts
(crisis_contacts.py), community alerts (alerts.py). They flush and never commit."""
