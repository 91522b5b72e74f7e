"""Who the session is and the scope it may read (docs/architecture.md §谁看到什么).

A Scope is turned into bound SQL parameters by `params()`; every query in queries/ filters
with them, so no page can widen what its role may read.
"""
from __future__ import annotations

from dataclasses import dataclass

ROLES = {
    "admin": "管理员",
    "district": "区级",
    "leader": "街道领导",
    "community": "社区",
    "screen": "大屏",
}


@dataclass(frozen=True)
class Scope:
    role: str
    username: str = ""
    street_codes: tuple[str, ...] | None = None  # None: every 街道 in the database
    community_code: str | None = None  # the 社区 head's own 社区

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def sees_all_detail(self) -> bool:
        """Whether issue points, 督办 lists and activities of every 社区 in scope are visible."""
        return self.role in ("admin", "district", "leader", "screen")

    def may_see_detail_of(self, community_code: str | None) -> bool:
        return self.sees_all_detail or (community_code is not None and community_code == self.community_code)

    def params(self) -> dict:
        """The bound parameters that every scoped query reads."""
        return {
            "street_codes": list(self.street_codes) if self.street_codes is not None else None,
            # NULL: every 社区's detail is visible; else only this 社区's
            "detail_community": None if self.sees_all_detail else (self.community_code or "\x00none"),
            "reveal_all": self.role == "admin",
            "own_community": self.community_code if self.role == "community" else None,
            "hide_reporter": self.role == "screen",
        }


SYSTEM = Scope(role="admin", username="system")
