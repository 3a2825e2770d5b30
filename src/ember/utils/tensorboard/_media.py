"""Summaries that need optional third-party packages, imported only when used: images with
bounding boxes drawn by Pillow, and videos encoded as GIF by moviepy."""
import io
import tempfile

import numpy as np

from . import _proto as pb
from ._summary import to_hwc, to_numpy


def _scale(arr):
    """uint8 pixels are taken as they are; anything else is read as [0, 1]."""
    return 1 if arr.dtype == np.uint8 else 255


# ---- images with boxes ---------------------------------------------------------------------

def _draw_box(draw, left, top, right, bottom, label):
    """A 2-pixel red outline; a label sits in a red box on the bottom edge, in black text."""
    draw.line([(left, top), (left, bottom), (right, bottom), (right, top), (left, top)],
              width=2, fill='Red')
    if label:
        from PIL import ImageFont
        font = ImageFont.load_default()
        x0, y0, x1, y1 = font.getbbox(label)
        width, height = x1 - x0, y1 - y0
        margin = np.ceil(0.05 * height)
        draw.rectangle([(left, bottom - height - 2 * margin), (left + width, bottom)],
                       fill='Red')
        draw.text((left + margin, bottom - height - margin), label, fill='black', font=font)


def image_boxes(tag, img, boxes, rescale=1, dataformats='CHW', labels=None):
    """The image with each box (x_min, y_min, x_max, y_max in pixels) outlined, resized by
    ``rescale`` (Lanczos); Summary.Image keeps the unscaled height and width."""
    from PIL import Image, ImageDraw
    hwc = to_hwc(to_numpy(img), dataformats)
    boxes = to_numpy(boxes)
    pixels = (hwc.astype(np.float32) * _scale(hwc)).clip(0, 255).astype(np.uint8)
    height, width, channels = pixels.shape
    picture = Image.fromarray(pixels)
    for i in range(boxes.shape[0]):
        _draw_box(ImageDraw.Draw(picture), boxes[i, 0], boxes[i, 1], boxes[i, 2], boxes[i, 3],
                  None if labels is None else labels[i])
    picture = picture.resize((int(width * rescale), int(height * rescale)),
                             Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    picture.save(buf, format='PNG')
    encoded = pb.image(height, width, channels, buf.getvalue())
    return pb.summary(pb.summary_value(tag, image=encoded))


# ---- videos --------------------------------------------------------------------------------

def prepare_video(video):
    """B x T x C x H x W -> T x H' x W' x C: each frame tiles the batch in a grid of
    2**k rows, the batch zero-padded up to a power of two."""
    b, t, c, h, w = video.shape
    if video.dtype == np.uint8:
        video = np.float32(video) / 255.0
    n = video.shape[0]
    if n == 0 or n & (n - 1):            # not a power of two: pad with blank videos
        pad = (1 << n.bit_length()) - n
        video = np.concatenate((video, np.zeros((pad, t, c, h, w))), axis=0)
    rows = 2 ** ((b.bit_length() - 1) // 2)
    cols = video.shape[0] // rows
    video = video.reshape(rows, cols, t, c, h, w).transpose(2, 0, 4, 1, 5, 3)
    return video.reshape(t, rows * h, cols * w, c)


def _gif(frames, fps):
    """GIF bytes of T x H x W x C uint8 frames via moviepy; None (with torch's message) when
    moviepy, or its ``editor`` module, cannot be imported."""
    try:
        import moviepy  # noqa: F401
    except ImportError:
        print('add_video needs package moviepy')
        return None
    try:
        from moviepy import editor
    except ImportError:
        print("moviepy is installed, but can't import moviepy.editor.",
              'Some packages could be missing [imageio, requests]')
        return None
    clip = editor.ImageSequenceClip(list(frames), fps=fps)
    with tempfile.NamedTemporaryFile(suffix='.gif') as f:
        try:                            # the keywords differ between moviepy versions
            clip.write_gif(f.name, verbose=False, logger=None)
        except TypeError:
            try:
                clip.write_gif(f.name, verbose=False, progress_bar=False)
            except TypeError:
                clip.write_gif(f.name, verbose=False)
        f.seek(0)
        return f.read()


def video(tag, vid, fps=4):
    """A GIF of the N x T x C x H x W video (uint8 in [0, 255] or float in [0, 1]); without
    moviepy only the tag is written, as torch does."""
    frames = prepare_video(to_numpy(vid))
    frames = (frames.astype(np.float32) * _scale(frames)).clip(0, 255).astype(np.uint8)
    gif = _gif(frames, fps)
    if gif is None:
        return pb.summary(pb.summary_value(tag))
    _, h, w, c = frames.shape
    return pb.summary(pb.summary_value(tag, image=pb.image(h, w, c, gif)))
