"""Photos attached to a 督办 reply: images only (JPEG, PNG, GIF, WebP, checked by their bytes and
decoded), at most `max_photo_mb` MB each, stored beside the database in `<db>.photos/ab/<sha256>.<ext>`
(one file per content, named by its SHA-256, which the step records). They are served only through
`read`, which looks the photo up among the steps the reader's scope may see; the big screen never
shows them.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from wenming.core import config
from wenming.supervision.metrics import PHOTOS_MAX, SupervisionError

KINDS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
PIL_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


@dataclass(frozen=True)
class Photo:
    name: str
    data: bytes
    mime: str
    sha256: str

    @property
    def ext(self) -> str:
        return KINDS[self.mime]


def max_bytes() -> int:
    return int(float(config.get("max_photo_mb")) * 1024 * 1024)


def sniff(data: bytes) -> str | None:
    """The image type its first bytes say, or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def check(name: str, data: bytes) -> Photo:
    """One uploaded photo, accepted, or SupervisionError naming the file and the reason."""
    limit = max_bytes()
    if len(data) > limit:
        raise SupervisionError(f"照片“{name}”有 {len(data) / 1024 / 1024:.1f} MB，超过每张 "
                               f"{limit / 1024 / 1024:g} MB 的上限，请压缩后再上传。")
    if not data:
        raise SupervisionError(f"照片“{name}”是空文件。")
    mime = sniff(data)
    if mime is None:
        raise SupervisionError(f"“{name}”不是图片（只接受 JPG、PNG、GIF、WebP 格式的照片）。")
    try:
        from PIL import Image
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format
            img.verify()
    except Exception as exc:  # noqa: BLE001 - any decoder complaint means the file is not a usable image
        raise SupervisionError(f"照片“{name}”无法读取，文件可能已损坏（{type(exc).__name__}）。") from exc
    if PIL_FORMATS.get(fmt) != mime:
        raise SupervisionError(f"照片“{name}”的内容与图片格式不符，请重新导出后上传。")
    return Photo(name, data, mime, hashlib.sha256(data).hexdigest())


def check_all(files: list[tuple[str, bytes]]) -> list[Photo]:
    if len(files) > PHOTOS_MAX:
        raise SupervisionError(f"一次最多上传 {PHOTOS_MAX} 张照片，本次选择了 {len(files)} 张。")
    return [check(name, data) for name, data in files]


def folder(db_path: Path) -> Path:
    return db_path.parent / (db_path.name + ".photos")


def path_for(db_path: Path, sha256: str, ext: str) -> Path:
    return folder(db_path) / sha256[:2] / f"{sha256}.{ext}"


def store(db_path: Path, photo: Photo) -> Path:
    """Write the photo's file (once per content); the caller records its hash in the same transaction."""
    target = path_for(db_path, photo.sha256, photo.ext)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(photo.data)
        partial.rename(target)
    return target
