"""SMS texts: the default texts and their phrases (`catalog`), the admin's stored overrides
(`store`), the checks a template must pass before it is saved (`checks`), rendering at send time,
segment counting and the discretion check (no health word, clinic name or nickname)."""
