"""Optional notices to a 社区's work group through a 企业微信 or 钉钉 group robot (off by default).

Where a notice goes: the robot URL set on /admin for the 社区 (settings_kv `webhook:<社区编码>`),
else the one set for its 街道 (`webhook:<街道编码>`), else the deployment setting `webhook_url`;
none of them: nothing is sent. The body is the robot's markdown message — 钉钉 for an
oapi.dingtalk.com address, 企业微信 otherwise. Sent on a background thread with a short timeout
(`webhook_timeout_seconds`); every attempt, sent or failed, is a row of notification_log, and
nothing the user does waits for it or fails because of it.

Events: a new 督办 (新督办), a 督办 past its deadline (督办逾期, once per order, noticed when a
督办 list is drawn) and a reply returned (退回).
"""
from __future__ import annotations

import json
import threading
import urllib.request
from urllib.parse import urlparse

import pandas as pd

from wenming.core import config
from wenming.core.access import SYSTEM
from wenming.core.db import Database, query_text

NEW, OVERDUE, RETURNED = "新督办", "督办逾期", "退回"
_overdue_lock = threading.Lock()


class WebhookError(ValueError):
    """A robot address refused on /admin (Chinese)."""


def check_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise WebhookError(f"“{url[:80]}”不是有效的群机器人地址（应以 https:// 开头，如企业微信或钉钉机器人的 Webhook 地址）。")
    if len(url) > 500:
        raise WebhookError("群机器人地址超过 500 个字符，请检查是否复制了多余的内容。")
    return url


def endpoint(db: Database, street_code: str, community_code: str) -> str:
    """The robot URL for a 社区 ('' = no notice)."""
    rows = db.named("system/setting", name=f"webhook:{community_code}")
    if rows.empty or not rows["value"].iloc[0]:
        rows = db.named("system/setting", name=f"webhook:{street_code}")
    if not rows.empty and rows["value"].iloc[0]:
        return str(rows["value"].iloc[0])
    return config.get("webhook_url").strip()


def set_endpoint(db: Database, code: str, url: str, by: str) -> None:
    """Set (or with '' clear) the robot URL of a 社区 or 街道; audited."""
    from wenming.core import auth
    url = check_url(url)
    with db.transaction() as cur:
        cur.execute(query_text("system/setting_put"), {"name": f"webhook:{code}", "value": url, "by": by,
                                                        "at": db.now()})
    auth.audit(db, by, "设置督办推送地址", code=code, host=urlparse(url).hostname if url else None)


def endpoints(db: Database) -> pd.DataFrame:
    return db.named("system/webhook_endpoints")


def payload(url: str, text: str, title: str) -> dict:
    """The robot's markdown message: 钉钉 for its own host, 企业微信 otherwise."""
    if "dingtalk" in (urlparse(url).hostname or ""):
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


def message(event: str, order: dict) -> tuple[str, str]:
    """(title, markdown text) of a notice: what, to whom, by when, why."""
    deadline = pd.Timestamp(order["deadline"])
    head = {NEW: "新督办", OVERDUE: "督办已逾期", RETURNED: "督办回复被退回"}[event]
    lines = [f"### 【{head}】{order['community_name']}",
             f"> 督办事项：{order['target_label']}",
             f"> 督办内容：{order['title']}",
             f"> 办结期限：{deadline:%Y-%m-%d}",
             f"> 督办理由：{order['reason']}"]
    if event == RETURNED and order.get("last_note"):
        lines.append(f"> 退回理由：{order['last_note']}")
    lines.append(f"请登录文明创建督导看板“我的社区”查看并回复（督办编号 {int(order['order_id'])}）。")
    return f"{head}：{order['community_name']}", "\n".join(lines)


def _post(url: str, body: dict, timeout: float) -> tuple[bool, str]:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read(2000).decode("utf-8", "replace")
            # both robots answer HTTP 200 with {"errcode": 0, …}; another errcode is a refusal
            try:
                code = json.loads(text).get("errcode", 0)
            except (ValueError, AttributeError):
                code = 0
            return (code == 0, f"HTTP {response.status} {text[:200]}")
    except Exception as exc:  # noqa: BLE001 - any failure is logged, never raised
        return False, f"{type(exc).__name__}: {str(exc)[:200]}"


def _log(db: Database, order_id: int, event: str, url: str, ok: bool, detail: str) -> None:
    try:
        with db.transaction() as cur:
            cur.execute(query_text("system/notification_add"),
                        {"sent_at": db.now(), "order_id": order_id, "event": event,
                         "endpoint": urlparse(url).hostname, "ok": ok, "detail": detail})
    except Exception:  # noqa: BLE001 - logging a notice must not fail anything either
        pass


def _order(db: Database, order_id: int) -> dict | None:
    rows = db.run("supervision/orders", SYSTEM, street=None, community=None, open_only=False)
    rows = rows[rows["order_id"] == order_id]
    return None if rows.empty else rows.iloc[0].to_dict()


def order_event(db: Database, order_id: int, event: str, *, wait: bool = False) -> threading.Thread | None:
    """Send the notice of `event` for the order in the background (None when no robot is set)."""
    order = _order(db, order_id)
    if order is None:
        return None
    url = endpoint(db, order["street_code"], order["community_code"])
    if not url:
        return None
    title, text = message(event, order)
    timeout = float(config.get("webhook_timeout_seconds"))

    def send():
        ok, detail = _post(url, payload(url, text, title), timeout)
        _log(db, order_id, event, url, ok, detail)

    thread = threading.Thread(target=send, name=f"webhook-{order_id}-{event}", daemon=True)
    thread.start()
    if wait:
        thread.join()
    return thread


def overdue_events(db: Database, *, wait: bool = False) -> list[threading.Thread]:
    """One 督办逾期 notice per open order past its deadline that has not had one yet (only where a
    robot is set). Called when a 督办 list is drawn; cheap when there is nothing to send."""
    if not config.get("webhook_url").strip() and endpoints(db).empty:
        return []  # no robot anywhere: nothing to look up
    if not _overdue_lock.acquire(blocking=False):
        return []
    try:
        due = db.named("system/overdue_unnoticed", as_of=db.now())
        threads = []
        for order_id in due["order_id"]:
            order = _order(db, int(order_id))
            if order is None or not endpoint(db, order["street_code"], order["community_code"]):
                continue
            # recorded before sending, so two pages drawn at once do not both send it
            _log(db, int(order_id), OVERDUE, endpoint(db, order["street_code"], order["community_code"]),
                 False, "已排队发送")
            thread = order_event(db, int(order_id), OVERDUE, wait=wait)
            if thread is not None:
                threads.append(thread)
        return threads
    finally:
        _overdue_lock.release()


def recent(db: Database, limit: int = 30) -> pd.DataFrame:
    """The latest notices as /admin lists them."""
    rows = db.named("system/notification_log", limit=limit)
    return pd.DataFrame({
        "时间": [f"{pd.Timestamp(t):%Y-%m-%d %H:%M}" for t in rows["sent_at"]],
        "督办": [f"第 {int(o)} 号" if pd.notna(o) else "测试" for o in rows["order_id"]],
        "消息": rows["event"].to_numpy(), "地址": rows["endpoint"].fillna("").to_numpy(),
        "结果": ["成功" if ok else "失败" for ok in rows["ok"]], "说明": rows["detail"].fillna("").to_numpy()})


def shown_url(url: str) -> str:
    """A robot URL without its secret (key / access_token): host and path only."""
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.hostname}{parsed.path}" + ("?…" if parsed.query else "")


def test_message(db: Database, url: str, by: str) -> tuple[bool, str]:
    """Post a test notice now (the admin waits for it, within the timeout) and log it."""
    url = check_url(url)
    if not url:
        raise WebhookError("请先填写群机器人地址，再发送测试消息。")
    text = "### 【测试】文明创建督导看板\n> 督办消息推送已接通。"
    ok, detail = _post(url, payload(url, text, "测试消息"), float(config.get("webhook_timeout_seconds")))
    _log(db, None, "测试", url, ok, detail)
    from wenming.core import auth
    auth.audit(db, by, "测试督办推送", host=urlparse(url).hostname, ok=ok)
    return ok, detail
