"""Images re-encoded: a safe raster image (PNG, JPEG, GIF, WebP) decoded by Pillow within a budget of frames
and pixels, turned upright and saved again with none of the uploader's metadata, with a thumbnail; on the image
threads (IMAGE_THREADS, scheduled when a CPU would idle), awaited from the event loop, a bounded queue in front.
"""

import asyncio
import contextlib
import functools
import os
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from PIL import Image, ImageOps

from djangochat_rx import settings

T = TypeVar("T")

# The types a browser may show inline (re-encoded by us, so their bytes are Pillow's, not the uploader's),
# with Pillow's format name. Everything else is served as a download.
SAFE_IMAGES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}


class ImagesBusy(Exception):
    """Every image thread is busy and IMAGE_QUEUE_MAX more images wait: try again in a moment (safe to show)."""

    def __init__(self) -> None:
        super().__init__("The server is busy with other pictures. Try again in a few seconds.")


class _OverBudget(Exception):
    """An image whose frames, read so far, pass IMAGE_MAX_FRAMES or IMAGE_MAX_PIXELS (kept undecoded)."""


@dataclass(frozen=True)
class Processed:
    """A re-encoded image: the full-size copy and the thumbnail (temporary files) and their sizes."""

    full: Path
    thumb: Path
    width: int
    height: int
    thumb_width: int
    thumb_height: int


def _save(image: Image.Image, fmt: str, target: Path, animated: bool) -> None:
    # zlib's default level, not PNG's `optimize` (level 9 and more tries): a third less CPU per image for
    # files ~5 % larger, and the CPU is what every live delivery shares while an upload is re-encoded.
    options: dict = {} if fmt in ("PNG", "GIF") else {"quality": 88}
    if animated:
        options["save_all"] = True
    image.save(target, format=fmt, **options)


def _lower_priority() -> None:
    # Linux schedules each thread on its own: the image thread alone becomes SCHED_IDLE, run when a CPU would
    # otherwise idle and preempted at once by any other thread (the event loop, the database threads) waking
    # up; under full load it still gets a sliver, so an upload is slow, never stuck. Nice 10 instead left
    # p99 ~25 % worse in the images bench; SCHED_IDLE 1-30 % (bench.run images, docs/benchmarks.md).
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setscheduler(threading.get_native_id(), os.SCHED_IDLE, os.sched_param(0))


@functools.cache
def _images() -> ThreadPoolExecutor:
    # Threads, not processes: Pillow decodes, resizes and encodes without holding the GIL, and a thread costs
    # neither a second interpreter's memory nor its start (a spawned process imported the app: ~1 s of CPU).
    return ThreadPoolExecutor(max(1, settings.IMAGE_THREADS), thread_name_prefix="images", initializer=_lower_priority)


# The image jobs submitted and not finished (running or waiting for a thread); a finished one removes itself.
_image_jobs: set[Future] = set()


async def in_image_threads(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` on the image threads, awaited from the event loop so that no database thread waits for it;
    ImagesBusy, at once, when IMAGE_THREADS jobs run and IMAGE_QUEUE_MAX more wait (a flood is refused)."""
    if len(_image_jobs) >= max(1, settings.IMAGE_THREADS) + settings.IMAGE_QUEUE_MAX:
        raise ImagesBusy()
    job = _images().submit(fn, *args)
    _image_jobs.add(job)
    job.add_done_callback(_image_jobs.discard)
    return await asyncio.wrap_future(job)


def _within_budget(frames: int, width: int, height: int) -> bool:
    return frames <= settings.IMAGE_MAX_FRAMES and frames * width * height <= settings.IMAGE_MAX_PIXELS


def reencode(source: Path, content_type: str, scratch: Path) -> Processed | None:
    """A safe raster image re-encoded by Pillow: turned upright by its EXIF orientation, then saved with no
    EXIF, XMP, comments or text chunks (nothing of the uploader's metadata, location included), and a
    thumbnail fitting THUMBNAIL_BOX. None when it is not a decodable image of that type, or over the budget
    of frames and pixels (every frame decoded at the canvas's size counts), checked before decoding and again
    as each frame is read."""
    fmt = SAFE_IMAGES.get(content_type)
    if fmt is None:
        return None
    made: list[Path] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as opened:
                animated = bool(getattr(opened, "is_animated", False)) and fmt in ("GIF", "WEBP")
                frames = opened.n_frames if animated else 1  # counted from the headers, nothing decoded
                if opened.format != fmt or not _within_budget(frames, opened.width, opened.height):
                    return None
                full = Path(tempfile.mkstemp(dir=scratch, suffix=".full")[1])
                made.append(full)
                if animated:
                    first, *rest = [_plain(ImageOps.exif_transpose(frame.copy()), fmt) for frame in _frames(opened)]
                    first.save(full, format=fmt, save_all=True, append_images=rest, loop=0, duration=_duration(opened))
                    upright = first
                else:
                    ImageOps.exif_transpose(opened, in_place=True)  # decoded and turned, with no copy made
                    upright = _plain(opened, fmt)
                    _save(upright, fmt, full, False)
                width, height = upright.size
                # The full image is saved: the thumbnail is made from it in place (no copy of the full image).
                upright.thumbnail(settings.THUMBNAIL_BOX)
                thumb = Path(tempfile.mkstemp(dir=scratch, suffix=".thumb")[1])
                made.append(thumb)
                _save(upright, "PNG" if fmt in ("PNG", "GIF") else fmt, thumb, False)
                return Processed(full, thumb, width, height, upright.width, upright.height)
    except (
        _OverBudget,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        for path in made:
            path.unlink(missing_ok=True)
        return None


def first_frame_upright(source: Path, max_pixels: int, refused: type[Exception], too_large: str) -> Image.Image:
    """A picture's first frame turned upright, in RGBA (profile pictures, custom emoji); `refused(reason)` when it
    is not a safe image type, has more than `max_pixels` (checked before decoding: `too_large` says what is allowed,
    its {} the megapixels) or does not decode."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as opened:
                if opened.format not in SAFE_IMAGES.values():
                    raise refused("Use a PNG, JPEG, GIF or WebP picture.")
                if opened.width * opened.height > max_pixels:
                    limit = too_large.format(max_pixels // 1_000_000)
                    raise refused(f"This picture is {opened.width}×{opened.height} pixels; {limit}.")
                return ImageOps.exif_transpose(opened).convert("RGBA")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refused("This file is not a picture we can read.") from None


def warm_up(scratch: Path) -> None:
    """At start: the image thread started and Pillow's formats loaded (a tiny image of each safe type
    re-encoded), so the first upload after a start costs what every other does."""
    for content_type, fmt in SAFE_IMAGES.items():
        handle, sample = tempfile.mkstemp(dir=scratch, suffix=".warm")
        with open(handle, "wb") as file:
            Image.new("RGB", (8, 8)).save(file, format=fmt)
        processed = _images().submit(reencode, Path(sample), content_type, scratch).result()
        for made in (Path(sample), *((processed.full, processed.thumb) if processed else ())):
            made.unlink(missing_ok=True)


def _frames(image: Image.Image) -> Iterable[Image.Image]:
    """Each frame in turn, the budget checked again before each is decoded (a frame may widen the canvas)."""
    decoded = 0
    for index in range(image.n_frames):
        image.seek(index)
        decoded += image.width * image.height
        if index >= settings.IMAGE_MAX_FRAMES or decoded > settings.IMAGE_MAX_PIXELS:
            raise _OverBudget()
        yield image


def _duration(image: Image.Image) -> int:
    return int(image.info.get("duration", 100) or 100)


def _plain(image: Image.Image, fmt: str) -> Image.Image:
    """`image` with no metadata riding along (its own `info` cut down, or a converted copy's), in a mode `fmt`
    can save. Only what is in `info` and passed to save is written: Pillow writes EXIF, XMP and text only when
    asked, and `_save` never asks."""
    kept = {key: value for key, value in image.info.items() if key in ("transparency", "duration", "loop")}
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif fmt == "GIF" and image.mode not in ("P", "L"):
        image = image.convert("P")
    image.info = kept
    return image
