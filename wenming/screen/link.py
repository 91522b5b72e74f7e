"""The 大屏's secret link as another machine can open it: built from the address the admin's
browser used to reach the app (the Host header), not a fixed localhost."""
from __future__ import annotations

import socket
from urllib.parse import urlsplit

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
ALL_INTERFACES = {"0.0.0.0", "::", ""}


def lan_addresses() -> list[str]:
    """This machine's own IPv4 addresses other than loopback (no packet leaves the machine)."""
    try:
        _, _, addresses = socket.gethostbyname_ex(socket.gethostname())
    except OSError:
        return []
    return [a for a in addresses if not a.startswith("127.")]


def screen_link(token: str, *, host: str | None, url: str | None, bind: str | None,
                lan: list[str] | None = None) -> tuple[str, str | None]:
    """(link, note): `host` is the request's Host header (e.g. 192.168.1.20:8501), `url` the
    page's URL as the browser reported it (st.context.url), `bind` the address the server listens
    on (server.address). The note, in Chinese, says when the link will not open elsewhere."""
    parts = urlsplit(url) if url else None
    scheme = parts.scheme if parts and parts.scheme else "http"
    netloc = host or (parts.netloc if parts else "") or "localhost:8501"
    where = urlsplit("//" + netloc)
    hostname, port = where.hostname or "localhost", where.port
    suffix = f":{port}" if port else ""
    if hostname not in LOCAL_HOSTS:
        return f"{scheme}://{netloc}/screen?token={token}", None
    lan = lan_addresses() if lan is None else lan
    if (bind or "").strip() in ALL_INTERFACES and lan:
        return (f"{scheme}://{lan[0]}{suffix}/screen?token={token}",
                f"你是在看板所在的电脑上打开的管理页，链接已换成这台电脑的局域网地址 {lan[0]}；"
                "大屏电脑须与它在同一局域网内。")
    return (f"{scheme}://{hostname}{suffix}/screen?token={token}",
            "这个链接只能在看板所在的电脑上打开：看板现在只在本机（localhost）监听。要让另一台电脑上的大屏打开，"
            "请用 make run-lan 启动（或设置 WENMING_SERVER_ADDRESS=0.0.0.0），再从管理员的电脑用这台电脑的"
            "局域网地址（如 http://192.168.1.20:8501/admin）打开管理页，这里就会给出那个地址的链接。")
