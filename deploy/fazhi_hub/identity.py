"""Who is asking: the JupyterHub user behind a token, their groups, and their 工号.

Roles are JupyterHub groups (``officers``, ``trainers``, ``hr``), read from the Hub's API with
the service's own token, so a role change in the Hub takes effect within ``ttl`` seconds
whatever scopes the caller's token carries. A course's trainers are the members of its
trainer group (``trainers`` unless the service is told otherwise).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from sqlalchemy import select
from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from fazhi import db
from fazhi.identifiers import officer_key
from fazhi.models import Officer
from fazhi.settings import Settings

OFFICERS, TRAINERS, HR = "officers", "trainers", "hr"
MISS_RELOAD_SECONDS = 2.0


@dataclass(frozen=True)
class Caller:
    """A Hub user as the service sees them."""

    name: str
    groups: frozenset[str]
    officer_id: str | None  # the roster's 工号 matching the Hub name (Hub names are lower-case)
    course_groups: dict[str, str] = field(default_factory=dict)

    @property
    def is_officer(self) -> bool:
        return OFFICERS in self.groups and self.officer_id is not None

    @property
    def is_hr(self) -> bool:
        return HR in self.groups

    def trains(self, course: str) -> bool:
        return self.course_groups.get(course, TRAINERS) in self.groups

    @property
    def is_trainer(self) -> bool:
        return TRAINERS in self.groups or bool(set(self.course_groups.values()) & self.groups)


class Directory:
    """Groups from the Hub and 工号 from the roster, each cached for ``ttl`` seconds."""

    def __init__(
        self,
        *,
        api_url: str,
        api_token: str,
        settings: Settings,
        course_groups: dict[str, str],
        ttl: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.api_token = api_token
        self.settings = settings
        self.course_groups = course_groups
        self.ttl = ttl
        self.clock = clock
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}
        self._officers: tuple[float, dict[str, str]] | None = None

    async def groups(self, name: str) -> frozenset[str]:
        cached = self._groups.get(name)
        if cached and self.clock() - cached[0] < self.ttl:
            return cached[1]
        request = HTTPRequest(
            f"{self.api_url}/users/{quote(name)}",
            headers={"Authorization": f"token {self.api_token}"},
        )
        response = await AsyncHTTPClient().fetch(request, raise_error=False)
        if response.code == 404:
            found: frozenset[str] = frozenset()
        elif response.code != 200:
            raise RuntimeError(f"JupyterHub API {response.code} for user {name}")
        else:
            found = frozenset(json.loads(response.body).get("groups", []))
        self._groups[name] = (self.clock(), found)
        return found

    def officer_id(self, name: str) -> str | None:
        """The roster's 工号 whose canonical form (fazhi.identifiers) is the Hub user name's."""
        key = officer_key(name)
        age = self.clock() - self._officers[0] if self._officers else None
        found = self._officers[1].get(key) if self._officers else None
        # reload when stale, or on a miss (a roster import just added them), at most every 2 s
        if age is None or age >= self.ttl or (found is None and age >= MISS_RELOAD_SECONDS):
            with db.session_scope(self.settings) as session:
                rows = session.scalars(select(Officer.officer_id))
                self._officers = (self.clock(), {officer_key(real): real for real in rows})
            found = self._officers[1].get(key)
        return found

    async def caller(self, name: str) -> Caller:
        return Caller(
            name=name,
            groups=await self.groups(name),
            officer_id=self.officer_id(name),
            course_groups=self.course_groups,
        )
