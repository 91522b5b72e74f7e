"""The 大屏 settings the admin edits on /admin and /screen reads: which panels rotate and in what
order, seconds per panel, and a banner line. Stored as JSON in settings_kv ('screen_config').

`load(db)` never fails: a missing or damaged value falls back to the defaults (per key), so a
bad edit cannot blank the screen during an inspection visit.
"""
from __future__ import annotations

import json
import math

from wenming.core.db import Database, query_text

NAME = "screen_config"
# panel key -> Chinese label, in the default rotation order
PANELS: dict[str, str] = {
    "headline": "核心指标",
    "map": "问题地图",
    "ranking": "综合排名",
    "theme": "月度主题活动",
    "volunteers": "志愿服务",
    "honor": "红黑榜",
    "trends": "趋势",
    "satisfaction": "群众满意",  # issue 20: rates only, no names
}
SECONDS_MIN, SECONDS_MAX = 5, 300
BANNER_MAX = 60
DEFAULTS = {"panels": list(PANELS), "seconds": 15, "banner": ""}


def defaults() -> dict:
    """A fresh copy of the default settings."""
    return {"panels": list(DEFAULTS["panels"]), "seconds": DEFAULTS["seconds"], "banner": DEFAULTS["banner"]}


def validate(config) -> list[str]:
    """Every problem with a settings dict, in Chinese; an empty list means it is valid."""
    if not isinstance(config, dict):
        return ["大屏设置应为一个对象（panels、seconds、banner）"]
    errors = []
    unknown = sorted(set(config) - set(DEFAULTS))
    if unknown:
        errors.append(f"未知的设置项：{'、'.join(map(str, unknown))}")
    panels = config.get("panels")
    if not isinstance(panels, list) or not all(isinstance(p, str) for p in panels):
        errors.append("轮播板块应为板块名称的列表")
    else:
        bad = [p for p in panels if p not in PANELS]
        if bad:
            errors.append(f"未知的板块：{'、'.join(bad)}（可选：{'、'.join(PANELS)}）")
        if len(set(panels)) != len(panels):
            errors.append("轮播板块不能重复")
        if not panels:
            errors.append("至少启用一个轮播板块")
    seconds = config.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds) \
            or seconds != int(seconds):
        errors.append("每个板块停留秒数应为整数")
    elif not SECONDS_MIN <= seconds <= SECONDS_MAX:
        errors.append(f"每个板块停留秒数应在 {SECONDS_MIN}–{SECONDS_MAX} 秒之间")
    banner = config.get("banner", "")
    if not isinstance(banner, str):
        errors.append("横幅文字应为文本")
    else:
        if len(banner) > BANNER_MAX:
            errors.append(f"横幅文字最多 {BANNER_MAX} 个字（现为 {len(banner)} 个）")
        if any(c in banner for c in "\r\n\t"):
            errors.append("横幅文字应为一行，不能含换行")
    return errors


def load(db: Database) -> dict:
    """The settings in force: stored values that are valid, defaults for the rest."""
    out = defaults()
    try:
        row = db.named("system/setting", name=NAME)
        stored = json.loads(row["value"][0]) if not row.empty and row["value"][0] else {}
    except Exception:  # noqa: BLE001 - a damaged value must not blank the screen
        return out
    if not isinstance(stored, dict):
        return out
    for key in DEFAULTS:
        if key in stored and not validate({**defaults(), key: stored[key]}):
            out[key] = stored[key]
    out["seconds"] = int(out["seconds"])
    return out


def save(db: Database, config: dict, by: str) -> dict:
    """Store valid settings and write the audit log; raises ValueError listing every problem."""
    from wenming.core import auth
    config = {**defaults(), **config}
    errors = validate(config)
    if errors:
        raise ValueError("；".join(errors))
    config = {"panels": list(config["panels"]), "seconds": int(config["seconds"]), "banner": config["banner"].strip()}
    before = load(db)
    with db.transaction() as cur:
        cur.execute(query_text("system/setting_put"),
                    {"name": NAME, "value": json.dumps(config, ensure_ascii=False), "by": by, "at": db.now()})
    auth.audit(db, by, "修改大屏设置", before=before, after=config)
    return config
