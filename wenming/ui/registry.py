"""Every page of the app, who may open it, and its URL path (docs/architecture.md §页面与地址)."""
from __future__ import annotations

from dataclasses import dataclass

from wenming.core.config import ROOT

READERS = ("admin", "district", "leader", "community")


@dataclass(frozen=True)
class PageSpec:
    file: str
    url_path: str
    title: str
    icon: str
    roles: tuple[str, ...]
    section: str

    @property
    def exists(self) -> bool:
        return (ROOT / self.file).is_file()


PAGES = [
    PageSpec("pages/overview.py", "overview", "总览", ":material/dashboard:", READERS, "督导"),
    PageSpec("pages/community.py", "community", "我的社区", ":material/home_work:", READERS, "督导"),
    PageSpec("pages/ranking.py", "ranking", "综合考核", ":material/leaderboard:", READERS, "督导"),
    PageSpec("pages/patrol.py", "patrol", "网格巡查", ":material/map:", READERS, "四项工作"),
    PageSpec("pages/activities.py", "activities", "主题活动", ":material/event:", READERS, "四项工作"),
    PageSpec("pages/volunteers.py", "volunteers", "志愿服务", ":material/volunteer_activism:", READERS, "四项工作"),
    PageSpec("pages/honor.py", "honor", "红黑榜", ":material/military_tech:", READERS, "四项工作"),
    PageSpec("pages/satisfaction.py", "satisfaction", "群众满意", ":material/sentiment_satisfied:", READERS, "四项工作"),
    PageSpec("pages/definitions.py", "definitions", "指标口径", ":material/menu_book:", READERS, "督导"),
    PageSpec("pages/district.py", "district", "区级对比", ":material/compare:", ("admin", "district"), "督导"),
    PageSpec("pages/screen.py", "screen", "大屏", ":material/tv:", ("admin", "leader", "screen"), "数据"),
    PageSpec("pages/submit.py", "submit", "数据报送", ":material/upload_file:", ("admin", "leader", "community"), "数据"),
    PageSpec("pages/admin.py", "admin", "管理", ":material/settings:", ("admin",), "数据"),
]


def pages_for(role: str, several_streets: bool) -> list[PageSpec]:
    """The pages a role may open that exist in this build (the 区 view only with several 街道)."""
    return [p for p in PAGES if p.exists and role in p.roles
            and (p.url_path != "district" or several_streets)]


def landing(role: str) -> str:
    """The page a role opens on: a 社区 head lands on 我的社区, the screen on 大屏."""
    return {"community": "community", "screen": "screen"}.get(role, "overview")


def allowed(role: str, url_path: str) -> bool:
    return any(p.url_path == url_path and role in p.roles for p in PAGES)
