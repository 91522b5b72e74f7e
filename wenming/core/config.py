"""Deployment settings in one table: name, default, help; each overridable by an env var.

The environment variable for a setting is WENMING_ + its name in upper case
(db_path -> WENMING_DB is the one exception, kept short because it is a contract).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    @property
    def env(self) -> str:
        return "WENMING_DB" if self.name == "db_path" else "WENMING_" + self.name.upper()


SETTINGS = [
    Setting("db_path", "data/demo.duckdb", "DuckDB 数据库文件（相对路径以项目目录为准）"),
    Setting("archive_dir", "", "报送原始文件归档目录；空则为数据库旁的 archive/"),
    Setting("memory_limit", "1GB", "DuckDB 可用内存上限"),
    Setting("threads", "2", "DuckDB 线程数"),
    Setting("backup_count", "7", "保留的按日备份份数"),
    Setting("tile_url", "", "底图瓦片地址（如本地瓦片服务或带 key 的天地图）；空则不加载底图"),
    Setting("max_upload_mb", "50", "单个上传文件大小上限（MB）"),
    Setting("max_rows", "300000", "单个文件行数上限"),
    Setting("session_days", "7", "登录会话有效天数"),
    Setting("lockout_attempts", "5", "连续输错几次密码后锁定"),
    Setting("lockout_minutes", "15", "锁定分钟数"),
    Setting("bulletin_close_day", "10", "月度通报取数截止日：次月几日 0 时（此后补报的数据不计入该月通报）"),
    Setting("server_address", "localhost", "看板监听的地址：localhost 只有本机能打开；0.0.0.0 让同一局域网的其他电脑"
                                           "（如迎检大屏）也能打开（make run 读取它，make run-lan 即为 0.0.0.0）"),
    Setting("server_port", "8501", "看板的端口（make run / make run-lan 读取）"),
    Setting("chromium_path", "", "打印 PDF 通报所用的 Chromium；空则在 PATH 中查找 chromium（make system-deps 安装）"),
    Setting("inbox_wait_seconds", "120", "命令行导入交给运行中的看板时最长等待秒数"),
    Setting("boundary_repair_tolerance", "0.001",
            "边界多边形无效（如环自相交）时，自动修复允许改变的面积比例（0.001 即 0.1%）；超过则拒收该文件"),
    Setting("role", "single",
            "进程角色：single 一个应用进程独占数据库（默认）；writer 唯一的写入进程（导入、撤回、管理），每次改动后发布只读快照；"
            "reader 只读进程，打开最新快照，导入交给写入进程（见 README“多个应用进程”）"),
    Setting("snapshot_keep", "2", "多个应用进程时保留的最新只读快照份数（旧快照在没有只读进程使用后删除）"),
    # -- 督办单 (wenming/supervision) --
    Setting("max_photo_mb", "10", "督办回复所附每张照片的大小上限（MB）"),
    Setting("webhook_url", "", "督办消息推送的群机器人地址（企业微信或钉钉 webhook，可选）：空则不推送；"
                               "/admin 可为单个社区或街道另设地址"),
    Setting("webhook_timeout_seconds", "3", "推送群机器人消息的超时秒数（后台发送，失败只记日志，不影响操作）"),
    Setting("temp_directory", "", "DuckDB 内存不足时写出中间结果的临时目录；空则为数据库旁的 <文件名>.tmp/"),
]
_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str:
    """The setting's value: its environment variable if set, else the default."""
    setting = _BY_NAME[name]
    return os.environ.get(setting.env, setting.default)


def get_int(name: str) -> int:
    return int(get(name))


def db_path() -> Path:
    path = Path(get("db_path"))
    return path if path.is_absolute() else ROOT / path


def archive_dir(db: Path) -> Path:
    configured = get("archive_dir")
    return Path(configured) if configured else db.parent / "archive"
