"""Signing a test client in through /login, answering the second step when she has one.

The code is made from the user's secret as her authenticator app would; since a code is accepted
once, a second sign-in of the same user within 30 seconds answers with the next step's code (the
server accepts one step either side), and a third one moves her last accepted step back, as if
half a minute had passed.
"""

from __future__ import annotations

from typing import Any

import pyotp
import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from tests.support.db import PASSWORD, csrf_token_from


def current_code(user: Any) -> str:
    """A code for `user` (a User) that the server accepts now and has not accepted before."""
    from accounts.models import User

    db.session.refresh(user)
    totp = pyotp.TOTP(user.totp_secret)
    now = totp.timecode(utcnow())
    last = user.totp_last_step
    step = now if last is None or last < now else last + 1
    if step > now + 1:
        db.session.execute(sa.update(User).where(User.id == user.id).values(totp_last_step=None))
        db.session.commit()
        step = now
    return totp.generate_otp(step)


def sign_in(client: Any, user: Any, password: str = PASSWORD, **options: Any) -> Any:
    """POST /login as `user` (a User), then the code step when it is asked; returns the last
    response (302 when signed in). `options` go to both posts (e.g. query_string, headers)."""
    data = {"email": user.email, "password": password, **options.pop("data", {})}
    response = client.post("/login", data=data, **options)
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "/login/code" in location:
        options.pop("query_string", None)  # the code step's address carries `next` already
        step = {"code": current_code(user)}
        if "csrf_token" in data:  # CSRF is on: the code page's form carries its token
            page = client.get(location, **options).get_data(as_text=True)
            step["csrf_token"] = csrf_token_from(page)
        response = client.post(location, data=step, **options)
    return response
